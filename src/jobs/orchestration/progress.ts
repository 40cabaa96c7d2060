import { isFailedMiniBatch } from "../../io/output/mini-batch-counts.js";
import { checkErrorThreshold, type ThresholdVerdict } from "../error-threshold.js";
import type { MiniBatchOutcome, PlanSummary, Progress } from "./contract.js";

/** Progress at the start of a job whose plan is known. */
export function initialProgress(plan: PlanSummary): Progress {
  return {
    miniBatches: { total: plan.miniBatches, succeeded: 0, failed: 0, running: 0 },
    items: { total: plan.items, succeeded: 0, failed: 0 },
    rows: 0,
  };
}

/**
 * Adds a finished mini-batch, counted by the one rule of `mini-batch-counts.ts` (failed when any of
 * its items failed); one skipped because the job was canceled, or because this host cannot run it
 * (`abort`), did not run and counts as neither.
 */
export function addOutcome(progress: Progress, outcome: MiniBatchOutcome): Progress {
  if (outcome.canceled || outcome.abort !== undefined) return progress;
  const failed = isFailedMiniBatch(outcome);
  return {
    miniBatches: {
      ...progress.miniBatches,
      succeeded: progress.miniBatches.succeeded + (failed ? 0 : 1),
      failed: progress.miniBatches.failed + (failed ? 1 : 0),
    },
    items: {
      ...progress.items,
      succeeded: progress.items.succeeded + outcome.succeededItems,
      failed: progress.items.failed + outcome.failedItems,
    },
    rows: progress.rows + outcome.rows,
  };
}

export function withRunning(progress: Progress, running: number): Progress {
  return { ...progress, miniBatches: { ...progress.miniBatches, running } };
}

/** The error threshold's verdict on the job so far (`error_threshold` -1 tolerates any number). */
export function thresholdVerdict(progress: Progress, errorThreshold: number): ThresholdVerdict {
  const tally = { failedItems: progress.items.failed, failedMiniBatches: progress.miniBatches.failed };
  return checkErrorThreshold(errorThreshold, tally, progress.items.total);
}
