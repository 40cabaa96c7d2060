import type { RunResult } from "../../io/output/scored-rows.js";
import { itemUnits } from "../plan/cut-mini-batches.js";
import type { PlannedMiniBatch } from "../plan/plan-schema.js";

/**
 * The result to record when a whole mini-batch failed (its run threw, timed out or its worker
 * died): every item fails with the same code and message, counted as the error threshold counts
 * (rows for a row range, else 1). Row ranges are named `<file> rows <first>-<last>` (1-based, as a
 * person counts).
 */
export function failedMiniBatchResult(
  miniBatch: PlannedMiniBatch,
  failure: { code: string; message: string },
): RunResult {
  return {
    rows: [],
    succeededItems: 0,
    failedItems: miniBatch.items.map((item) => ({
      item: item.rows
        ? `${item.name} rows ${item.rows.start + 1}-${item.rows.start + item.rows.count}`
        : item.name,
      count: itemUnits(item),
      code: failure.code,
      message: failure.message,
    })),
  };
}
