import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { checkOutputFree } from "../../../src/io/output/check-output-free.js";
import { outputWorld, rowsResult } from "./output-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

describe("append_row output", () => {
  it("keeps only the last attempt of each mini-batch, once, in mini-batch order whatever the staging order", async () => {
    const world = await outputWorld();
    const target = await world.target();
    await checkOutputFree(target, world.deps);
    const stage = (index: number, attempt: number, result: ReturnType<typeof rowsResult>, failed = false) =>
      world.stage({ target, index, attempt, result, failed });

    await stage(2, 1, rowsResult(["c1", "c2"]));
    await stage(0, 1, rowsResult(["a-first-attempt", "a-first-attempt-2"]));
    await stage(3, 1, rowsResult(["d-first-attempt"]));
    await stage(0, 2, rowsResult(["a1", { file: "x.png", label: 7, score: 0.5 }]));
    await stage(0, 2, rowsResult(["a1", { file: "x.png", label: 7, score: 0.5 }]));
    await stage(1, 1, rowsResult([]));
    await stage(
      3,
      2,
      {
        rows: [],
        succeededItems: 0,
        failedItems: [{ item: "d.png", count: 1, code: "ScriptError", message: "boom" }],
      },
      true,
    );

    const totals = await world.finalize(target);
    expect(await world.read("predictions.csv")).toBe("a1\nx.png 7 0.5\nc1\nc2\n");
    expect(totals).toMatchObject({
      predictionFiles: ["azureml://datastores/ws/paths/out/predictions.csv"],
      errorFiles: ["azureml://datastores/ws/paths/out/errors.jsonl"],
      rows: 4,
      errorLines: 1,
      miniBatches: { total: 4, succeeded: 3, failed: 1, notRun: 0 },
      items: { succeeded: 4, failed: 1 },
    });
    expect(await world.read("errors.jsonl")).toBe(
      `${JSON.stringify({ item: "d.png", mini_batch: 3, attempt: 2, code: "ScriptError", message: "boom" })}\n`,
    );

    const again = await world.finalize(target);
    expect(again).toEqual(totals);
    expect(await world.read("predictions.csv")).toBe("a1\nx.png 7 0.5\nc1\nc2\n");
  });

  it("refuses an existing output file unless overwrite is set, before work and at commit", async () => {
    const world = await outputWorld();
    await world.container.getBlockBlobClient("out/predictions.csv").upload("old\n", 4);
    const target = await world.target({ miniBatches: 1 });
    const before = await failure(checkOutputFree(target, world.deps));
    expect(before.code).toBe("OutputExists");
    expect(before.message).toContain("azureml://datastores/ws/paths/out/predictions.csv");

    await world.stage({ target, index: 0, attempt: 1, result: rowsResult(["new"]) });
    const atCommit = await failure(world.finalize(target));
    expect(atCommit.code).toBe("OutputExists");
    expect(await world.read("predictions.csv")).toBe("old\n");

    const overwrite = await world.target({ miniBatches: 1, overwrite: true });
    await checkOutputFree(overwrite, world.deps);
    await world.finalize(overwrite);
    expect(await world.read("predictions.csv")).toBe("new\n");
  });

  it("detects a file written by someone else between the check and the commit", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 1 });
    await checkOutputFree(target, world.deps);
    await world.stage({ target, index: 0, attempt: 1, result: rowsResult(["mine"]) });
    await world.container.getBlockBlobClient("out/predictions.csv").upload("theirs\n", 7);
    expect((await failure(world.finalize(target))).code).toBe("OutputExists");
    expect(await world.read("predictions.csv")).toBe("theirs\n");
  });

  it("writes csv with one header at the top and RFC 4180 quoting", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "csv", miniBatches: 3 });
    await checkOutputFree(target, world.deps);
    await world.stage({
      target,
      index: 1,
      attempt: 1,
      result: rowsResult([{ file: "b.csv", prediction: 'say "hi", twice' }]),
    });
    await world.stage({ target, index: 0, attempt: 1, result: rowsResult([]) });
    await world.stage({
      target,
      index: 2,
      attempt: 1,
      result: rowsResult([{ file: "c.csv", prediction: 1.5 }, { file: "d\ne.csv" }]),
    });
    const totals = await world.finalize(target);
    expect(totals.columns).toEqual(["file", "prediction"]);
    expect(await world.read("predictions.csv")).toBe(
      'file,prediction\nb.csv,"say ""hi"", twice"\nc.csv,1.5\n"d\ne.csv",\n',
    );
  });

  it("refuses csv output whose mini-batches returned different columns", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "csv", miniBatches: 2 });
    await world.stage({ target, index: 0, attempt: 1, result: rowsResult([{ a: 1, b: 2 }]) });
    await world.stage({ target, index: 1, attempt: 1, result: rowsResult([{ b: 2, a: 1 }]) });
    const error = await failure(world.finalize(target));
    expect(error.code).toBe("OutputColumnsMismatch");
    expect(error.message).toContain("Mini-batch 1 returned columns (b, a) but mini-batch 0 returned (a, b)");
  });

  it("shards the output into files of at most maxMiniBatchesPerFile mini-batches", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "csv", miniBatches: 5, maxMiniBatchesPerFile: 2 });
    await checkOutputFree(target, world.deps);
    for (const index of [4, 3, 2, 1, 0]) {
      await world.stage({
        target,
        index,
        attempt: 1,
        result: rowsResult(
          [
            { mb: index, row: 0 },
            { mb: index, row: 1 },
          ],
          index === 3 ? [{ item: "x", count: 1, code: "E", message: "m" }] : [],
        ),
      });
    }
    const totals = await world.finalize(target);
    expect(totals.predictionFiles.map((file) => file.split("/").pop())).toEqual([
      "predictions-00000.csv",
      "predictions-00001.csv",
      "predictions-00002.csv",
    ]);
    expect(await world.read("predictions-00000.csv")).toBe("mb,row\n0,0\n0,1\n1,0\n1,1\n");
    expect(await world.read("predictions-00001.csv")).toBe("mb,row\n2,0\n2,1\n3,0\n3,1\n");
    expect(await world.read("predictions-00002.csv")).toBe("mb,row\n4,0\n4,1\n");
    expect(await world.read("errors-00000.jsonl")).toBe("");
    expect(await world.read("errors-00001.jsonl")).toContain('"mini_batch":3');
    expect(await world.read("errors-00002.jsonl")).toBe("");

    const rerun = await world.target({ format: "csv", miniBatches: 5, maxMiniBatchesPerFile: 2 });
    const exists = await failure(checkOutputFree(rerun, world.deps));
    expect(exists.message).toContain("predictions-00000.csv");
  });
});
