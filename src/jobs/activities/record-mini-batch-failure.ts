import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { stageMiniBatchOutput } from "../../io/output/stage-mini-batch.js";
import { engineRecord } from "../../scoring/log/log-levels.js";
import { failedMiniBatchResult } from "../mini-batch/failed-mini-batch.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import { readMiniBatch } from "../plan/read-plan.js";
import type { JobStore } from "../store/job-store.js";
import type { ActivityLog } from "./activity-log.js";
import type { Redact } from "./host-paths.js";
import type { JobCache } from "./job-cache.js";
import { outcomeOf } from "./mini-batch-outcome.js";

export interface RecordMiniBatchFailurePorts {
  /** Outputs up to this size travel in the outcome instead of a staged block (`BATCHFN_INLINE_OUTPUT_BYTES`; 0: none). */
  inlineOutputBytes: number;
  cache: JobCache;
  /** Where the plan is read. */
  store: JobStore;
  access: BlobAccess;
  log: ActivityLog;
  /** Rewrites this host's paths in the failure's message. */
  redactHost: Redact;
}

/**
 * `recordMiniBatchFailure`: after `scoreMiniBatch` itself failed for good (its durable retries
 * spent), stages the mini-batch as failed, every item with `ActivityFailed` and the failure's message.
 */
export function createRecordMiniBatchFailure(
  ports: RecordMiniBatchFailurePorts,
): JobActivities["recordMiniBatchFailure"] {
  return async ({ jobName, index, attempts, message }) => {
    const spec = await ports.cache.spec(jobName);
    const job = await ports.cache.planned(jobName);
    const { miniBatch } = await readMiniBatch(ports.store, job.plan, index);
    const failed = failedMiniBatchResult(miniBatch, {
      code: "ActivityFailed",
      message: ports.redactHost(message),
    });
    const staged = await stageMiniBatchOutput(
      {
        target: job.target,
        index,
        attempt: attempts,
        result: failed,
        failed: true,
        inlineMaxBytes: ports.inlineOutputBytes,
      },
      ports,
    );
    await ports.log(spec, [
      engineRecord("error", `Mini-batch ${index} failed: ${message}`, {
        miniBatch: index,
        attempt: attempts,
      }),
    ]);
    return outcomeOf(index, staged);
  };
}
