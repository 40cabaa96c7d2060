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
 * Adds a finished mini-batch. A mini-batch counts as failed when any of its items failed (a whole
 * failed mini-batch reports all its items failed); one skipped because the job was canceled counts
 * as neither.
 */
export function addOutcome(progress: Progress, outcome: MiniBatchOutcome): Progress {
  if (outcome.canceled) return progress;
  const failed = outcome.failedItems > 0;
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

/** True once the failed items of the whole job exceed `error_threshold` (-1 tolerates any number). */
export function exceedsThreshold(progress: Progress, errorThreshold: number): boolean {
  return errorThreshold >= 0 && progress.items.failed > errorThreshold;
}

/** The message a job stopped by its error threshold ends with. */
export function thresholdMessage(progress: Progress, errorThreshold: number): string {
  const { items, miniBatches } = progress;
  return (
    `error_threshold ${errorThreshold} exceeded: ${items.failed} failed items ` +
    `(${miniBatches.failed} failed mini-batches) of ${items.total} items; no further mini-batch was started.`
  );
}
