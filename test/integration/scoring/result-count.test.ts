import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import type { MiniBatchInput } from "../../../src/scoring/runtime.js";
import { bundledFixture, fixturePool, inputFiles, miniBatch } from "./scoring-fixtures.js";

/** Ten input files, each telling the result-count fixture how many results to return for it. */
async function tenFiles(resultsPerFile: number): Promise<string[]> {
  return inputFiles(
    Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.txt`, String(resultsPerFile)])),
  );
}

async function caught(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the mini-batch to fail");
}

describe("run() results are reconciled with the mini-batch's inputs", () => {
  it("fails a mini-batch whose run() returns fewer results than inputs, naming both counts", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("result-count", "score.mjs") });
    const none = await caught(pool.run(miniBatch(2, await tenFiles(0))));
    expect(none.code).toBe("ScriptError");
    expect(none.message).toContain("Mini-batch 2 (attempt 1)");
    expect(none.message).toContain("returned 0 results for 10 input items");
    const nine = await inputFiles(
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`g${i}.txt`, i === 0 ? "0" : "1"])),
    );
    const fewer = await caught(pool.run(miniBatch(4, nine)));
    expect(fewer.message).toContain("returned 9 results for 10 input items");
  });

  it("keeps every row when run() returns more results than inputs, but counts the inputs as the items", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("result-count", "score.mjs") });
    const { result } = await pool.run(miniBatch(0, await tenFiles(3)));
    expect(result.rows).toHaveLength(30);
    expect(result.succeededItems).toBe(10);
    expect(result.failedItems).toEqual([]);
  });

  it("counts the rows of row-split tabular items (mini_batch_rows) as the inputs", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("result-count", "score.mjs") });
    const [path] = await inputFiles({ "part.txt": "4" });
    const rows = (count: number): MiniBatchInput => ({
      index: 5,
      attempt: 1,
      files: [{ path: path as string, name: "big.csv", rowOffset: 100, rowCount: count }],
    });
    const { result } = await pool.run(rows(4));
    expect(result.succeededItems).toBe(4);
    const fewer = await caught(pool.run(rows(5)));
    expect(fewer.message).toContain("returned 4 results for 5 input items (5 rows of 1 file)");
  });
});
