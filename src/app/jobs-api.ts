import type { InvocationContext } from "@azure/functions";
import { guarded, routeAccess } from "../api/guard.js";
import type { Handler } from "../api/http.js";
import { createInvokeHandler } from "../api/jobs/invoke.js";
import { createJobHandlers } from "../api/jobs/job-handlers.js";
import { createJobLogsHandler } from "../api/jobs/job-logs.js";
import { createJobOutputHandlers } from "../api/jobs/job-outputs.js";
import type { JobsApiDeps } from "../api/jobs/jobs-api-deps.js";
import { createRerunHandler } from "../api/jobs/rerun.js";
import type { Authorizer } from "../auth/authorizer.js";
import type { JobRunner } from "../jobs/job-runner.js";
import { checkParquetOutputs } from "../scoring/deployment-assets.js";
import type { Deployment, Model } from "../spec/resources.js";
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

/** The jobs API's ports, from the engine; the Durable client comes from each invocation. */
export function jobsApiDeps(engine: Engine, runner: (context: InvocationContext) => JobRunner): JobsApiDeps {
  return {
    registry: engine.registry,
    records: engine.records,
    store: engine.store,
    jobLog: engine.jobLog,
    access: engine.access,
    catalog: engine.catalog,
    outputs: engine.outputs,
    cancels: engine.cancels,
    runner,
    checkModelOutputs: (deployment: Deployment, model: Model) =>
      checkParquetOutputs({
        deployment,
        model,
        workDir: engine.workDir,
        download: (uri, dir) => engine.registry.downloadArtifact(uri, dir),
      }),
  };
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
  const deps = jobsApiDeps(engine, options.runner);
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
