import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { finalizeOutput } from "../../../src/io/output/finalize-output.js";
import type { OutputTarget } from "../../../src/io/output/output-target.js";
import type { PartRecord } from "../../../src/io/output/part-record.js";
import { partBlobs, readRecordedParts } from "../../../src/io/output/range-record.js";
import { recordRange } from "../../../src/io/output/record-range.js";
import type { RangeParts } from "../../../src/jobs/orchestration/contract.js";
import { outputWorld, rowsResult } from "../io/output-fixtures.js";

async function text(world: Awaited<ReturnType<typeof outputWorld>>, name: string): Promise<string> {
  return (await world.jobs.getBlobClient(name).downloadToBuffer()).toString("utf8");
}

/** What the `recordParts` activity does with its input, for this world's job (`record-parts.ts`). */
function recorder(world: Awaited<ReturnType<typeof outputWorld>>, target: OutputTarget) {
  return async ({ start, end, parts }: RangeParts) => ({
    parts: await recordRange(target, { start, end, parts }, world.deps),
  });
}

describe("recordParts and the range records of parts (Azurite)", () => {
  it("writes a range's parts as one record, the same when run again, and the finaliser reads them back", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 4 });
    const staged: PartRecord[] = [];
    for (const [index, rows] of [["a"], [], ["c1", "c2"], ["d"]].entries()) {
      staged.push(await world.stage({ target, index, attempt: 1, result: rowsResult(rows) }));
    }
    const recordParts = recorder(world, target);
    const first = { jobName: world.job, start: 0, end: 2, parts: [staged[1], staged[0]] as PartRecord[] };
    const second = { jobName: world.job, start: 2, end: 4, parts: staged.slice(2) };
    expect(await recordParts(first)).toEqual({ parts: 2 });
    expect(await recordParts(second)).toEqual({ parts: 2 });
    const written = await text(world, partBlobs.range(world.job, 0, 2));
    // a retried activity, or a replayed orchestration, writes the very same record
    expect(await recordParts(first)).toEqual({ parts: 2 });
    expect(await text(world, partBlobs.range(world.job, 0, 2))).toBe(written);
    expect(JSON.parse(written).parts.map((p: PartRecord) => p.index)).toEqual([0, 1]);

    const names: string[] = [];
    for await (const blob of world.jobs.listBlobsFlat({ prefix: partBlobs.prefix(world.job) }))
      names.push(blob.name);
    expect(names).toHaveLength(2);
    const parts = await readRecordedParts(world.jobs, world.job);
    expect([...parts.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(parts.get(2)).toEqual(staged[2]);

    const totals = await finalizeOutput(target, world.deps);
    expect(await world.read("predictions.csv")).toBe("a\nc1\nc2\nd\n");
    expect(totals.missing).toEqual([]);
  });

  it("refuses a part outside its range, or two parts of one mini-batch, and writes nothing", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 4 });
    const part = await world.stage({ target, index: 3, attempt: 1, result: rowsResult(["x"]) });
    const recordParts = recorder(world, target);
    for (const parts of [
      [part],
      [
        { ...part, index: 1 },
        { ...part, index: 1, attempt: 2 },
      ],
    ]) {
      const refused = await recordParts({ jobName: world.job, start: 0, end: 2, parts }).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(BatchfnError);
      expect((refused as BatchfnError).code).toBe("InvalidReference");
    }
    expect(await world.jobs.getBlobClient(partBlobs.range(world.job, 0, 2)).exists()).toBe(false);
  });

  it("a lost range record leaves its mini-batches missing: nothing of them is committed", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 4 });
    const recordParts = recorder(world, target);
    const parts: PartRecord[] = [];
    for (const index of [0, 1, 2, 3]) {
      parts.push(await world.stage({ target, index, attempt: 1, result: rowsResult([`r${index}`]) }));
    }
    await recordParts({ jobName: world.job, start: 0, end: 2, parts: parts.slice(0, 2) });
    await recordParts({ jobName: world.job, start: 2, end: 4, parts: parts.slice(2) });
    await world.jobs.deleteBlob(partBlobs.range(world.job, 2, 4));
    const totals = await finalizeOutput(target, world.deps);
    expect(totals.missing).toEqual([2, 3]);
    expect(totals.miniBatches).toEqual({ total: 4, succeeded: 2, failed: 0, notRun: 2 });
    expect(await world.read("predictions.csv")).toBe("r0\nr1\n");
  });

  it("still reads the per-mini-batch records of a job started before range records; a range record wins", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 3 });
    const parts: PartRecord[] = [];
    for (const index of [0, 1, 2]) {
      parts.push(await world.stage({ target, index, attempt: 1, result: rowsResult([`r${index}`]) }));
    }
    const retried = await world.stage({ target, index: 2, attempt: 2, result: rowsResult(["r2 again"]) });
    for (const legacy of parts) {
      const body = JSON.stringify(legacy);
      const name = `${partBlobs.prefix(world.job)}${String(legacy.index).padStart(10, "0")}.json`;
      await world.jobs.getBlockBlobClient(name).upload(body, body.length);
    }
    await recorder(world, target)({ jobName: world.job, start: 2, end: 3, parts: [retried] });
    const recorded = await readRecordedParts(world.jobs, world.job);
    expect([...recorded.values()].map((p) => [p.index, p.attempt])).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
    ]);
    await finalizeOutput(target, world.deps);
    expect(await world.read("predictions.csv")).toBe("r0\nr1\nr2 again\n");
  });
});
