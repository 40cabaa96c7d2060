import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import type { ScoredRow } from "../../../src/io/output/scored-rows.js";
import type { ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import { bundledFixture, fixturePool, inputFiles, miniBatch } from "./scoring-fixtures.js";

async function caught(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the mini-batch to fail");
}

function instanceOf(rows: ScoredRow[]): unknown {
  const row = rows[0];
  return typeof row === "object" ? row.instance : undefined;
}

async function score(pool: ScoringPool, index: number, order: string) {
  return pool.run(miniBatch(index, await inputFiles({ [`m${index}.txt`]: order })));
}

const MB = 1024 * 1024;

describe("a scoring worker's memory limit (worker_memory_mb)", () => {
  it.each([
    ["heap", "JavaScript objects"],
    ["buffers", "Buffers"],
  ])("stops a worker whose script keeps more %s than the limit, and a fresh worker goes on (%s)", async (kind) => {
    const { pool } = await fixturePool({
      script: await bundledFixture("memory-hog", "score.mjs"),
      workerMemoryMb: 128,
    });
    const before = (await score(pool, 0, "ok")).result.rows;
    const rssBefore = process.memoryUsage().rss;
    const error = await caught(score(pool, 1, `${kind} 512`));
    expect(error.code).toBe("WorkerOutOfMemory");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("Mini-batch 1 (attempt 1)");
    expect(error.message).toContain("128 MB memory limit (worker_memory_mb)");
    // the stopped worker's memory is given back: the process holds far less than the 512 MB asked for
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * MB);
    const after = (await score(pool, 2, "ok")).result.rows;
    expect(after).toEqual([expect.objectContaining({ file: "m2.txt" })]);
    expect(instanceOf(after)).not.toEqual(instanceOf(before));
  });

  it("lets a script use memory within its limit", async () => {
    const { pool } = await fixturePool({
      script: await bundledFixture("memory-hog", "score.mjs"),
      workerMemoryMb: 512,
    });
    const { result } = await score(pool, 0, "buffers 128");
    expect(result.succeededItems).toBe(1);
  });
});
