import { describe, expect, it } from "vitest";
import { finalizeOutput } from "../../../src/io/output/finalize-output.js";
import type { PartRecord } from "../../../src/io/output/part-record.js";
import { partBlobs } from "../../../src/io/output/range-record.js";
import { recordRange } from "../../../src/io/output/record-range.js";
import { INLINE_MAX_BYTES, stageMiniBatchOutput } from "../../../src/io/output/stage-mini-batch.js";
import { outputWorld, rowsResult } from "./output-fixtures.js";

const failure = { item: "e.png", count: 1, code: "ScriptError", message: "boom" };

describe("small outputs kept in the part record and staged per run by recordParts", () => {
  it("stages each run of small outputs as one block, between the staged ones, once; the same when recorded again", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 6 });
    const container = world.container;
    const blob = container.getBlockBlobClient("out/predictions.csv");
    const big = "x".repeat(INLINE_MAX_BYTES + 1);
    const results = [
      rowsResult(["a"]),
      rowsResult(["b1", "b2"]),
      rowsResult([big]),
      rowsResult([]),
      rowsResult(["d"], [failure]),
      rowsResult(["f"]),
    ];
    const parts: PartRecord[] = [];
    for (const [index, result] of results.entries()) {
      parts.push(
        await stageMiniBatchOutput(
          { target, index, attempt: 1, result, inlineMaxBytes: INLINE_MAX_BYTES },
          world.deps,
        ),
      );
    }
    expect(parts.map((part) => part.inline !== undefined)).toEqual([true, true, false, true, true, true]);
    // only the big one was staged by its mini-batch
    expect((await blob.getBlockList("uncommitted")).uncommittedBlocks).toHaveLength(1);

    await recordRange(target, { start: 0, end: 6, parts }, world.deps);
    const staged = (await blob.getBlockList("uncommitted")).uncommittedBlocks ?? [];
    expect(staged).toHaveLength(3);
    const record = (
      await world.jobs.getBlobClient(partBlobs.range(world.job, 0, 6)).downloadToBuffer()
    ).toString();
    expect(record).not.toContain("b1");
    await recordRange(target, { start: 0, end: 6, parts }, world.deps);
    expect((await blob.getBlockList("uncommitted")).uncommittedBlocks).toEqual(staged);
    expect(
      (await world.jobs.getBlobClient(partBlobs.range(world.job, 0, 6)).downloadToBuffer()).toString(),
    ).toBe(record);

    const totals = await finalizeOutput(target, world.deps);
    expect(await world.read("predictions.csv")).toBe(`a\nb1\nb2\n${big}\nd\nf\n`);
    expect(totals).toMatchObject({
      rows: 6,
      errorLines: 1,
      miniBatches: { succeeded: 5, failed: 1, notRun: 0 },
    });
    const errors = (await world.read("errors.jsonl")).trimEnd().split("\n");
    expect(errors.map((line) => JSON.parse(line))).toEqual([
      { item: "e.png", mini_batch: 4, attempt: 1, code: "ScriptError", message: "boom" },
    ]);
    expect(await finalizeOutput(target, world.deps)).toEqual(totals);
    expect(await world.read("predictions.csv")).toBe(`a\nb1\nb2\n${big}\nd\nf\n`);
  });

  it("keeps the last recorded attempt's small output only, and writes csv's header once", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 2, format: "csv" });
    const first = await stageMiniBatchOutput(
      { target, index: 0, attempt: 1, result: rowsResult([{ k: "old" }]), inlineMaxBytes: INLINE_MAX_BYTES },
      world.deps,
    );
    expect(first.inline).toBeDefined();
    const parts = [
      await stageMiniBatchOutput(
        {
          target,
          index: 0,
          attempt: 2,
          result: rowsResult([{ k: "new" }]),
          inlineMaxBytes: INLINE_MAX_BYTES,
        },
        world.deps,
      ),
      await stageMiniBatchOutput(
        {
          target,
          index: 1,
          attempt: 1,
          result: rowsResult([{ k: "one" }]),
          inlineMaxBytes: INLINE_MAX_BYTES,
        },
        world.deps,
      ),
    ];
    await recordRange(target, { start: 0, end: 2, parts }, world.deps);
    await finalizeOutput(target, world.deps);
    expect(await world.read("predictions.csv")).toBe("k\nnew\none\n");
  });

  it("stages Parquet as before: its pieces are never kept inline", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 1, format: "parquet", fileName: "predictions.parquet" });
    const part = await stageMiniBatchOutput(
      { target, index: 0, attempt: 1, result: rowsResult([{ k: 1 }]), inlineMaxBytes: INLINE_MAX_BYTES },
      world.deps,
    );
    expect(part.inline).toBeUndefined();
    expect(part.pieces?.[0]?.bytes).toBeGreaterThan(0);
  });
});
