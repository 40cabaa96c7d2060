import type { StagedMiniBatch } from "../../io/output/stage-mini-batch.js";
import type { MiniBatchOutcome } from "../orchestration/contract.js";

/** What the orchestration learns of a staged mini-batch: its counts and its part record. */
export function outcomeOf(index: number, staged: StagedMiniBatch): MiniBatchOutcome {
  return {
    index,
    succeededItems: staged.succeededItems,
    failedItems: staged.failedItems,
    rows: staged.rows,
    canceled: false,
    part: staged,
  };
}
