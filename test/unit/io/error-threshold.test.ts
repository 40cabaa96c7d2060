import { describe, expect, it } from "vitest";
import { checkErrorThreshold, tallyMiniBatch } from "../../../src/jobs/error-threshold.js";

describe("checkErrorThreshold", () => {
  it.each([
    [-1, 0, 0, false, "error_threshold -1 (any failure tolerated): 0 failed items (0 mini-batches) of 120"],
    [
      -1,
      500,
      40,
      false,
      "error_threshold -1 (any failure tolerated): 500 failed items (40 mini-batches) of 120",
    ],
    [0, 0, 0, false, "error_threshold 0 not exceeded: 0 failed items (0 mini-batches) of 120"],
    [0, 1, 1, true, "error_threshold 0 exceeded: 1 failed item (1 mini-batch) of 120"],
    [5, 5, 2, false, "error_threshold 5 not exceeded: 5 failed items (2 mini-batches) of 120"],
    [5, 6, 2, true, "error_threshold 5 exceeded: 6 failed items (2 mini-batches) of 120"],
    [5, 7, 3, true, "error_threshold 5 exceeded: 7 failed items (3 mini-batches) of 120"],
  ])("threshold %i with %i failed items in %i mini-batches", (threshold, failedItems, failedMiniBatches, exceeded, message) => {
    expect(checkErrorThreshold(threshold, { failedItems, failedMiniBatches }, 120)).toEqual({
      exceeded,
      message,
    });
  });

  it("tallies failed items per mini-batch, counting rows for row-split items", () => {
    let tally = { failedItems: 0, failedMiniBatches: 0 };
    for (const failed of [0, 3, 0, 1000, 1]) tally = tallyMiniBatch(tally, failed);
    expect(tally).toEqual({ failedItems: 1004, failedMiniBatches: 3 });
    expect(checkErrorThreshold(1003, tally, 5000).exceeded).toBe(true);
    expect(checkErrorThreshold(1004, tally, 5000).exceeded).toBe(false);
  });
});
