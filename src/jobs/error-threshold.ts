/** Failures counted so far in a job. Items are files, or rows of row-split tabular files. */
export interface FailureTally {
  failedItems: number;
  /** Mini-batches that contributed at least one failed item. */
  failedMiniBatches: number;
}

export interface ThresholdVerdict {
  /** True once the job must stop scheduling work and fail. */
  exceeded: boolean;
  /** States the threshold and the counts, e.g. "error_threshold 5 exceeded: 7 failed items (3 mini-batches) of 120". */
  message: string;
}

/** Adds one mini-batch's final outcome (failed items of its last attempt) to a tally. */
export function tallyMiniBatch(tally: FailureTally, failedItems: number): FailureTally {
  if (failedItems <= 0) return tally;
  return { failedItems: tally.failedItems + failedItems, failedMiniBatches: tally.failedMiniBatches + 1 };
}

/**
 * Azure ML's `error_threshold`: the number of failed items the whole job tolerates; -1 tolerates
 * any. The job stops once failures go above it (a threshold of 0 stops at the first failure).
 * Pure, so the orchestration may call it.
 */
export function checkErrorThreshold(
  threshold: number,
  tally: FailureTally,
  totalItems: number,
): ThresholdVerdict {
  const counts = `${plural(tally.failedItems, "failed item")} (${plural(tally.failedMiniBatches, "mini-batch", "mini-batches")}) of ${totalItems}`;
  if (threshold < 0)
    return { exceeded: false, message: `error_threshold -1 (any failure tolerated): ${counts}` };
  if (tally.failedItems > threshold)
    return { exceeded: true, message: `error_threshold ${threshold} exceeded: ${counts}` };
  return { exceeded: false, message: `error_threshold ${threshold} not exceeded: ${counts}` };
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
