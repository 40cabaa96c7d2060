import type { ContainerClient } from "@azure/storage-blob";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { InputCatalog } from "../../io/inputs/input-catalog.js";
import type { JobLog } from "../../io/log/job-log.js";
import type { DeploymentAssets } from "../../scoring/deployment-assets.js";
import type { SettingLimits } from "../../spec/setting-limits.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import { ACTIVITY } from "../orchestration/contract.js";
import type { JobRecords } from "../records/job-records.js";
import { createActivityLog } from "./activity-log.js";
import { createFinalizeJob } from "./finalize-job.js";
import { hostFolders, hostPathRedactor } from "./host-paths.js";
import { createJobCache } from "./job-cache.js";
import { createPlanJob } from "./plan-job.js";
import { createRecordMiniBatchFailure } from "./record-mini-batch-failure.js";
import { createScoreMiniBatch } from "./score-mini-batch.js";
import type { ScoringPools } from "./scoring-pools.js";

export interface JobActivityDeps {
  /** Datastores and data assets (the registry, seen through the input port). */
  catalog: InputCatalog;
  access: BlobAccess;
  /** The jobs container: specs, plans, parts, logs. */
  jobs: ContainerClient;
  jobLog: JobLog;
  assets: DeploymentAssets;
  pools: ScoringPools;
  /** The job's row, updated when it starts running and when it ends. */
  records: JobRecords;
  /** Local scratch space of this instance. */
  workDir: string;
  /** This host's bounds: a stored job above them is failed at start or resume, never run. */
  limits: SettingLimits;
  /** Accept `http://` loopback input URLs (tests against Azurite). */
  allowHttpInputs?: boolean;
  /** A scoring worker's memory limit (MB) when the job's settings give none (`BATCHFN_WORKER_MEMORY_MB`). */
  workerMemoryMb: number;
  now?: () => Date;
}

/**
 * The activities of a scoring job, each built by its own factory from the ports it needs; they
 * share this instance's view of running jobs (spec, plan, cancel request) and the job log. Each
 * reads what it needs from the job's blobs by the job's name, so orchestration history only
 * carries names, indexes and counts.
 */
export function createJobActivities(deps: JobActivityDeps): JobActivities {
  const now = deps.now ?? (() => new Date());
  const cache = createJobCache(deps.jobs);
  // what invokers see names items and documented folders, never this host's paths
  const shown = hostFolders(deps.workDir);
  const redactHost = hostPathRedactor(shown);
  const log = createActivityLog(deps.jobLog, redactHost);
  const { jobs, access, records } = deps;
  return {
    [ACTIVITY.plan]: createPlanJob({
      cache,
      jobs,
      catalog: deps.catalog,
      access,
      records,
      log,
      limits: deps.limits,
      allowHttpInputs: deps.allowHttpInputs,
      now,
    }),
    [ACTIVITY.score]: createScoreMiniBatch({
      cache,
      jobs,
      access,
      assets: deps.assets,
      pools: deps.pools,
      log,
      limits: deps.limits,
      workDir: deps.workDir,
      hostFolders: shown,
      workerMemoryMb: deps.workerMemoryMb,
    }),
    [ACTIVITY.recordFailure]: createRecordMiniBatchFailure({ cache, jobs, access, log, redactHost }),
    [ACTIVITY.finalize]: createFinalizeJob({ cache, jobs, access, records, log, redactHost, now }),
  };
}
