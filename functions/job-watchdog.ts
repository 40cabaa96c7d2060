import azureFunctions, { type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { appContext } from "../src/app/app-context.js";
import { durableJobRunner } from "../src/jobs/job-runner.js";
import { watchJobs } from "../src/jobs/job-watchdog.js";

const { app } = azureFunctions;

// At start-up and every minute: jobs whose orchestration ended or vanished without their record
// saying so (terminated through the management API, storage that lost writes) are settled.
app.timer("jobWatchdog", {
  schedule: "0 * * * * *",
  runOnStartup: true,
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: unknown, context: InvocationContext) => {
    const { engine } = appContext();
    const report = await watchJobs({
      records: engine.records,
      runner: durableJobRunner(df.getClient(context)),
    });
    for (const job of report.settled) context.warn(`Job '${job.name}' settled ${job.status}: ${job.message}`);
    for (const { job, problem } of report.unchecked) context.warn(`Job '${job}' not checked: ${problem}`);
  },
});
