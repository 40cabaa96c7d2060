import type { ContainerClient } from "@azure/storage-blob";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { JobLog } from "../../io/log/job-log.js";
import { INLINE_MAX_BYTES } from "../../io/output/stage-mini-batch.js";
import type { DeploymentAssets } from "../../scoring/deployment-assets.js";
import type { SettingLimits } from "../../spec/setting-limits.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import { ACTIVITY } from "../orchestration/contract.js";
import type { JobRecords } from "../records/job-records.js";
import type { JobStore } from "../store/job-store.js";
import { createActivityLog } from "./activity-log.js";
import type { CancelWatch } from "./cancel-watch.js";
import { createFinalizeJob } from "./finalize-job.js";
import { hostFolders, hostPathRedactor } from "./host-paths.js";
import { createJobCache } from "./job-cache.js";
import type { JobInputs } from "./job-inputs.js";
import { createLocalJobIO } from "./local-job-io.js";
import { createPlanJob } from "./plan-job.js";
import { createRecordMiniBatchFailure } from "./record-mini-batch-failure.js";
import { createRecordParts } from "./record-parts.js";
import { createScoreMiniBatch } from "./score-mini-batch.js";
import type { ScoringPools } from "./scoring-pools.js";

export interface JobActivityDeps {
  /** Each job's spec, prepared plan, cancel request and plan. */
  store: JobStore;
  /** Where planning finds the input's items. */
  inputs: JobInputs;
  /** Reaches the input and output datastores. */
  access: BlobAccess;
  /** The jobs container: the range records of parts are written and read there (io/output). */
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
  /** A scoring worker's memory limit (MB) when the job's settings give none (`BATCHFN_WORKER_MEMORY_MB`). */
  workerMemoryMb: number;
  /** A mini-batch's output up to this size travels in its outcome, staged per range (`BATCHFN_INLINE_OUTPUT_BYTES`; 0: none; default 1024). */
  inlineOutputBytes?: number;
  /** This instance's view of cancel requests, shared with its API (`cancel-watch.ts`). */
  cancels?: CancelWatch;
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
  const cache = createJobCache(deps.store, deps.cancels);
  // what invokers see names items and documented folders, never this host's paths
  const shown = hostFolders(deps.workDir);
  const redactHost = hostPathRedactor(shown);
  const log = createActivityLog(deps.jobLog, redactHost);
  const { store, jobs, access, records } = deps;
  const inlineOutputBytes = deps.inlineOutputBytes ?? INLINE_MAX_BYTES;
  const localIO = createLocalJobIO({ workDir: deps.workDir, access });
  return {
    [ACTIVITY.plan]: createPlanJob({
      cache,
      store,
      inputs: deps.inputs,
      access,
      records,
      log,
      limits: deps.limits,
      now,
    }),
    [ACTIVITY.score]: createScoreMiniBatch({
      cache,
      store,
      access,
      assets: deps.assets,
      pools: deps.pools,
      log,
      limits: deps.limits,
      workDir: deps.workDir,
      hostFolders: shown,
      workerMemoryMb: deps.workerMemoryMb,
      inlineOutputBytes,
      localIO,
    }),
    [ACTIVITY.recordFailure]: createRecordMiniBatchFailure({
      cache,
      store,
      access,
      log,
      redactHost,
      inlineOutputBytes,
    }),
    [ACTIVITY.finalize]: createFinalizeJob({
      cache,
      store,
      jobs,
      access,
      records,
      log,
      redactHost,
      now,
      localIO,
    }),
    [ACTIVITY.recordParts]: createRecordParts({ cache, jobs, access }),
  };
}
