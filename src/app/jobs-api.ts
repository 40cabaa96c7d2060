import type { InvocationContext } from "@azure/functions";
import { guarded, routeAccess } from "../api/guard.js";
import type { Handler } from "../api/http.js";
import { createInvokeHandler } from "../api/jobs/invoke.js";
import { createJobHandlers } from "../api/jobs/job-handlers.js";
import { createJobLogsHandler } from "../api/jobs/job-logs.js";
import { createJobOutputHandlers } from "../api/jobs/job-outputs.js";
import { createRerunHandler } from "../api/jobs/rerun.js";
import type { Authorizer } from "../auth/authorizer.js";
import type { JobRunner } from "../jobs/job-runner.js";
import type { Engine } from "./create-engine.js";

/** The jobs API's handlers, each behind its access rule (functions/jobs-api.ts gives them routes). */
export interface JobsApi {
  invoke: Handler;
  list: Handler;
  show: Handler;
  cancel: Handler;
  logs: Handler;
  outputs: Handler;
  outputFile: Handler;
  rerun: Handler;
}

/**
 * Invoking an endpoint and reading or cancelling its jobs: its invokers (its keys, or the Invoke
 * role for aad_token endpoints) and admins. Listing every endpoint's jobs: admins.
 */
export function createJobsApi(options: {
  engine: Engine;
  auth: () => Authorizer;
  runner: (context: InvocationContext) => JobRunner;
}): JobsApi {
  const { engine, auth } = options;
  const deps = {
    registry: engine.registry,
    records: engine.records,
    store: engine.store,
    jobLog: engine.jobLog,
    access: engine.access,
    catalog: engine.catalog,
    outputs: engine.outputs,
    cancels: engine.cancels,
    runner: options.runner,
  };
  const jobs = createJobHandlers(deps);
  const outputs = createJobOutputHandlers(deps);
  const ofJob = routeAccess.job("job");
  return {
    invoke: guarded(auth, routeAccess.endpoint("name"), createInvokeHandler(deps)),
    list: guarded(auth, routeAccess.jobList, jobs.list),
    show: guarded(auth, ofJob, jobs.show),
    cancel: guarded(auth, ofJob, jobs.cancel),
    logs: guarded(auth, ofJob, createJobLogsHandler(deps)),
    outputs: guarded(auth, ofJob, outputs.list),
    outputFile: guarded(auth, ofJob, outputs.download),
    rerun: guarded(auth, ofJob, createRerunHandler(deps)),
  };
}
