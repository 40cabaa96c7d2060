import azureFunctions from "@azure/functions";
import * as df from "durable-functions";
import { createInvokeHandler } from "../src/api/jobs/invoke.js";
import { createJobHandlers } from "../src/api/jobs/job-handlers.js";
import { createJobLogsHandler } from "../src/api/jobs/job-logs.js";
import { createJobOutputHandlers } from "../src/api/jobs/job-outputs.js";
import { appContext } from "../src/app/app-context.js";
import { jobsApiDependencies } from "../src/app/jobs-api-dependencies.js";

const { app } = azureFunctions;
const client = df.input.durableClient();
const deps = jobsApiDependencies(appContext(), (context) => df.getClient(context));
const jobs = createJobHandlers(deps);
const outputs = createJobOutputHandlers(deps);
const common = { authLevel: "anonymous" as const, extraInputs: [client] };

app.http("invokeBatchEndpoint", {
  ...common,
  route: "batch-endpoints/{name}/jobs",
  methods: ["POST"],
  handler: createInvokeHandler(deps),
});
app.http("listJobs", { ...common, route: "jobs", methods: ["GET"], handler: jobs.list });
app.http("showJob", { ...common, route: "jobs/{job}", methods: ["GET"], handler: jobs.show });
app.http("cancelJob", { ...common, route: "jobs/{job}/cancel", methods: ["POST"], handler: jobs.cancel });
app.http("jobLogs", {
  ...common,
  route: "jobs/{job}/logs",
  methods: ["GET"],
  handler: createJobLogsHandler(deps),
});
app.http("jobOutputs", { ...common, route: "jobs/{job}/outputs", methods: ["GET"], handler: outputs.list });
app.http("jobOutputFile", {
  ...common,
  route: "jobs/{job}/outputs/{*path}",
  methods: ["GET"],
  handler: outputs.download,
});
