import azureFunctions from "@azure/functions";
import * as df from "durable-functions";
import { createInvokeHandler } from "../src/api/jobs/invoke.js";
import { createJobHandlers } from "../src/api/jobs/job-handlers.js";
import { createJobLogsHandler } from "../src/api/jobs/job-logs.js";
import { createJobOutputHandlers } from "../src/api/jobs/job-outputs.js";
import { appContext } from "../src/app/app-context.js";
import { jobsApiDependencies } from "../src/app/jobs-api-dependencies.js";
import { guarded, routeAccess } from "../src/auth/guard.js";

const { app } = azureFunctions;
const client = df.input.durableClient();
const deps = jobsApiDependencies(appContext(), (context) => df.getClient(context));
const jobs = createJobHandlers(deps);
const outputs = createJobOutputHandlers(deps);
const common = { authLevel: "anonymous" as const, extraInputs: [client] };
const auth = () => appContext().auth;
// Invoking an endpoint and reading or cancelling its jobs: its invokers (its keys, or the Invoke
// role for aad_token endpoints) and admins. Listing every endpoint's jobs: admins.
const invoker = routeAccess.endpoint("name");
const ofJob = routeAccess.job("job");

app.http("invokeBatchEndpoint", {
  ...common,
  route: "batch-endpoints/{name}/jobs",
  methods: ["POST"],
  handler: guarded(auth, invoker, createInvokeHandler(deps)),
});
app.http("listJobs", {
  ...common,
  route: "jobs",
  methods: ["GET"],
  handler: guarded(auth, routeAccess.jobList, jobs.list),
});
app.http("showJob", {
  ...common,
  route: "jobs/{job}",
  methods: ["GET"],
  handler: guarded(auth, ofJob, jobs.show),
});
app.http("cancelJob", {
  ...common,
  route: "jobs/{job}/cancel",
  methods: ["POST"],
  handler: guarded(auth, ofJob, jobs.cancel),
});
app.http("jobLogs", {
  ...common,
  route: "jobs/{job}/logs",
  methods: ["GET"],
  handler: guarded(auth, ofJob, createJobLogsHandler(deps)),
});
app.http("jobOutputs", {
  ...common,
  route: "jobs/{job}/outputs",
  methods: ["GET"],
  handler: guarded(auth, ofJob, outputs.list),
});
app.http("jobOutputFile", {
  ...common,
  route: "jobs/{job}/outputs/{*path}",
  methods: ["GET"],
  handler: guarded(auth, ofJob, outputs.download),
});
