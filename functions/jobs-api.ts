import azureFunctions from "@azure/functions";
import * as df from "durable-functions";
import { appContext } from "../src/app/app-context.js";

const { app } = azureFunctions;
const { jobsApi } = appContext();
const common = { authLevel: "anonymous" as const, extraInputs: [df.input.durableClient()] };

// Invoking an endpoint (its scoring URI) and reading, following or cancelling its jobs.
app.http("invokeBatchEndpoint", {
  ...common,
  route: "batch-endpoints/{name}/jobs",
  methods: ["POST"],
  handler: jobsApi.invoke,
});
app.http("listJobs", { ...common, route: "jobs", methods: ["GET"], handler: jobsApi.list });
app.http("showJob", { ...common, route: "jobs/{job}", methods: ["GET"], handler: jobsApi.show });
app.http("cancelJob", { ...common, route: "jobs/{job}/cancel", methods: ["POST"], handler: jobsApi.cancel });
app.http("rerunJob", { ...common, route: "jobs/{job}/rerun", methods: ["POST"], handler: jobsApi.rerun });
app.http("jobLogs", { ...common, route: "jobs/{job}/logs", methods: ["GET"], handler: jobsApi.logs });
app.http("jobOutputs", {
  ...common,
  route: "jobs/{job}/outputs",
  methods: ["GET"],
  handler: jobsApi.outputs,
});
app.http("jobOutputFile", {
  ...common,
  route: "jobs/{job}/outputs/{*path}",
  methods: ["GET"],
  handler: jobsApi.outputFile,
});
