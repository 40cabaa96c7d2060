import type { InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import type { JobsApiDeps } from "../api/jobs/jobs-api-deps.js";
import { durableJobRunner } from "../jobs/job-runner.js";
import type { AppContext } from "./app-context.js";

/** The jobs API's dependencies from the app context; the Durable client comes from each invocation. */
export function jobsApiDependencies(
  app: AppContext,
  client: (context: InvocationContext) => DurableClient,
): JobsApiDeps {
  const { engine } = app;
  return {
    registry: engine.registry,
    records: engine.records,
    jobs: engine.jobs,
    jobLog: engine.jobLog,
    access: engine.access,
    catalog: engine.catalog,
    outputs: engine.outputs,
    runner: (context) => durableJobRunner(client(context)),
  };
}
