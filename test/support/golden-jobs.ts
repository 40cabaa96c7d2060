import type {
  FailureRecord,
  MiniBatchRef,
  RangeParts,
  ScoringJobInput,
} from "../../src/jobs/orchestration/contract.js";
import { ACTIVITY } from "../../src/jobs/orchestration/contract.js";
import type { ActivityFn } from "./durable-runner.js";

/** The jobs whose histories are kept as golden fixtures (test/fixtures/histories). */
export const goldenJobs: Record<string, { input: ScoringJobInput; miniBatches: number; parts?: boolean }> = {
  "small-job-with-failures": {
    input: {
      jobName: "golden-small",
      window: 3,
      retry: { maxAttempts: 2, firstIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
      errorThreshold: -1,
      chunkSize: 500,
    },
    miniBatches: 8,
  },
  "chunked-job": {
    input: {
      jobName: "golden-chunked",
      window: 2,
      retry: { maxAttempts: 1, firstIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
      errorThreshold: 3,
      chunkSize: 4,
    },
    miniBatches: 10,
  },
  /** The same job as its activities answer since range records: outcomes carry part records. */
  "chunked-job-with-range-records": {
    input: {
      jobName: "golden-ranges",
      window: 2,
      retry: { maxAttempts: 1, firstIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
      errorThreshold: 3,
      chunkSize: 4,
    },
    miniBatches: 10,
    parts: true,
  },
};

/**
 * Deterministic activities: mini-batch 2 fails once (retried), mini-batch 5 fails for good, 6 has a
 * failed item. With `parts`, outcomes carry their part records (as since range records).
 */
export function goldenActivities(miniBatches: number, parts = false): Record<string, ActivityFn> {
  const attempts = new Map<number, number>();
  return {
    [ACTIVITY.plan]: () => ({ miniBatches, items: miniBatches * 2 }),
    [ACTIVITY.score]: (input) => {
      const { index } = input as MiniBatchRef;
      const attempt = (attempts.get(index) ?? 0) + 1;
      attempts.set(index, attempt);
      if ((index === 2 && attempt === 1) || index === 5) throw new Error(`storage unavailable for ${index}`);
      const counts = { succeededItems: index === 6 ? 1 : 2, failedItems: index === 6 ? 1 : 0, rows: 2 };
      const part = {
        index,
        attempt: 1,
        status: "succeeded",
        ...counts,
        errorLines: counts.failedItems,
        outputFiles: 0,
      };
      return { index, ...counts, canceled: false, ...(parts ? { part } : {}) };
    },
    [ACTIVITY.recordFailure]: (input) => {
      const { index, attempts } = input as FailureRecord;
      const counts = { succeededItems: 0, failedItems: 2, rows: 0 };
      const part = { index, attempt: attempts, status: "failed", ...counts, errorLines: 2, outputFiles: 0 };
      return { index, ...counts, canceled: false, ...(parts ? { part } : {}) };
    },
    [ACTIVITY.recordParts]: (input) => ({ parts: (input as RangeParts).parts.length }),
    [ACTIVITY.finalize]: () => ["azureml://datastores/workspaceblobstore/paths/out/predictions.csv"],
  };
}
