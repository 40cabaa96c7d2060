import { parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { checkOutputFree } from "../../../src/io/output/check-output-free.js";
import { piecesFromBatches } from "../../../src/io/output/output-pieces.js";
import type { RowBatch } from "../../../src/io/output/row-batch.js";
import { type OutputWorld, outputWorld, rowsResult } from "./output-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

async function readParquet(world: OutputWorld, name: string): Promise<Record<string, unknown>[]> {
  const bytes = await world.container.getBlobClient(`out/${name}`).downloadToBuffer();
  return parquetReadObjects({ file: new Uint8Array(bytes).buffer });
}

/** The rows a no-code runtime gives for rows [first, first + count) of `file`. */
function predictions(file: string, first: number, count: number, tag = "p"): RowBatch {
  const rows = Array.from({ length: count }, (_, i) => first + i);
  return {
    file,
    count,
    columns: [
      { name: "row", type: "int64", values: rows },
      { name: "key", type: "string", values: rows.map((row) => `${file}#${row}`) },
      { name: "prediction", type: "float64", values: rows.map((row) => row / 2) },
      { name: "tag", type: "string", values: rows.map(() => tag) },
      { name: "file_name", type: "string", values: rows.map(() => file) },
    ],
  };
}

describe("output formats and layouts", () => {
  it("writes Parquet exactly once: the last recorded attempt of each mini-batch, in order, re-finalised unchanged", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "parquet", fileName: "predictions.parquet", miniBatches: 3 });
    await checkOutputFree(target, world.deps);
    const request = { format: "parquet" as const, perFile: false };
    const stage = (index: number, attempt: number, batches: RowBatch[]) =>
      world.stage({
        target,
        index,
        attempt,
        result: { rows: [], succeededItems: batches.length, failedItems: [] },
        pieces: piecesFromBatches(batches, request, index),
      });
    await stage(1, 1, [predictions("b.csv", 0, 4, "first attempt")]);
    await stage(0, 1, [predictions("a.csv", 0, 2)]);
    await stage(1, 2, [predictions("b.csv", 0, 3)]);
    await world.stage({
      target,
      index: 2,
      attempt: 4,
      failed: true,
      result: {
        rows: [],
        succeededItems: 0,
        failedItems: [{ item: "c.csv", count: 1, code: "X", message: "m" }],
      },
    });
    const totals = await world.finalize(target);
    expect(totals.predictionFiles).toEqual(["azureml://datastores/ws/paths/out/predictions.parquet"]);
    expect(totals.rows).toBe(5);
    const rows = await readParquet(world, "predictions.parquet");
    expect(rows.map((row) => [row.file_name, row.row, row.tag])).toEqual([
      ["a.csv", 0n, "p"],
      ["a.csv", 1n, "p"],
      ["b.csv", 0n, "p"],
      ["b.csv", 1n, "p"],
      ["b.csv", 2n, "p"],
    ]);
    expect(rows[4]).toEqual({ row: 2n, key: "b.csv#2", prediction: 1, tag: "p", file_name: "b.csv" });
    const properties = await world.container.getBlobClient("out/predictions.parquet").getProperties();
    expect(properties.contentType).toBe("application/vnd.apache.parquet");

    await world.finalize(target);
    expect(await readParquet(world, "predictions.parquet")).toEqual(rows);
  });

  it("shards Parquet into complete files, each with its own footer", async () => {
    const world = await outputWorld();
    const target = await world.target({
      format: "parquet",
      fileName: "p.parquet",
      miniBatches: 3,
      maxMiniBatchesPerFile: 2,
    });
    for (const index of [2, 0, 1]) {
      await world.stage({ target, index, attempt: 1, result: rowsResult([{ mb: index, v: index * 1.5 }]) });
    }
    await world.finalize(target);
    expect(await readParquet(world, "p-00000.parquet")).toEqual([
      { mb: 0, v: 0 },
      { mb: 1, v: 1.5 },
    ]);
    expect(await readParquet(world, "p-00001.parquet")).toEqual([{ mb: 2, v: 3 }]);
  });

  it("writes jsonl lines in mini-batch order", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "jsonl", fileName: "p.jsonl", miniBatches: 2 });
    await world.stage({ target, index: 1, attempt: 1, result: rowsResult([{ b: 2 }]) });
    await world.stage({ target, index: 0, attempt: 1, result: rowsResult(["a", { a: 1 }]) });
    await world.finalize(target);
    expect(await world.read("p.jsonl")).toBe('"a"\n{"a":1}\n{"b":2}\n');
  });

  it("per_file: one complete file per input file, a file spanning mini-batches once, failed files absent", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "csv", layout: "per_file", miniBatches: 3 });
    await checkOutputFree(target, world.deps);
    const request = { format: "csv" as const, perFile: true };
    const stage = (index: number, attempt: number, batches: RowBatch[], failed: string[] = []) =>
      world.stage({
        target,
        index,
        attempt,
        result: {
          rows: [],
          succeededItems: batches.length,
          failedItems: failed.map((item) => ({ item, count: 1, code: "MissingColumn", message: "no key" })),
        },
        pieces: piecesFromBatches(batches, request, index),
      });
    // big.csv rows 0-4 in mini-batch 0 and 5-7 in mini-batch 1, whose first attempt is replaced
    await stage(1, 1, [predictions("big.csv", 5, 3, "stale"), predictions("sub/small.csv", 0, 1, "stale")]);
    await stage(0, 1, [predictions("big.csv", 0, 5)]);
    await stage(1, 2, [predictions("big.csv", 5, 3), predictions("sub/small.csv", 0, 2)]);
    await stage(2, 1, [predictions("empty.csv", 0, 0)], ["bad.csv"]);
    const totals = await world.finalize(target);
    expect(
      totals.predictionFiles.map((file) => file.replace("azureml://datastores/ws/paths/out/", "")),
    ).toEqual(["big.csv", "sub/small.csv", "empty.csv"]);
    const big = (await world.read("big.csv")).trimEnd().split("\n");
    expect(big[0]).toBe("row,key,prediction,tag,file_name");
    expect(big.slice(1).map((line) => line.split(",")[0])).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(big.some((line) => line.includes("stale"))).toBe(false);
    expect(await world.read("sub/small.csv")).toBe(
      "row,key,prediction,tag,file_name\n0,sub/small.csv#0,0,p,sub/small.csv\n1,sub/small.csv#1,0.5,p,sub/small.csv\n",
    );
    expect(await world.read("empty.csv")).toBe("row,key,prediction,tag,file_name\n");
    expect(await world.container.getBlobClient("out/bad.csv").exists()).toBe(false);
    expect(await world.read("errors.jsonl")).toContain('"item":"bad.csv"');
    expect(await world.container.getBlobClient("out/predictions.csv").exists()).toBe(false);
  });

  it("per_file Parquet: each input file's rows in a Parquet file of its own", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "parquet", layout: "per_file", miniBatches: 2 });
    const request = { format: "parquet" as const, perFile: true };
    const stage = (index: number, batches: RowBatch[]) =>
      world.stage({
        target,
        index,
        attempt: 1,
        result: { rows: [], succeededItems: batches.length, failedItems: [] },
        pieces: piecesFromBatches(batches, request, index),
      });
    await stage(1, [predictions("x/a.csv", 3, 2), predictions("b.jsonl", 0, 1)]);
    await stage(0, [predictions("x/a.csv", 0, 3)]);
    await world.finalize(target);
    const a = await readParquet(world, "x/a.parquet");
    expect(a.map((row) => row.row)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(a.map((row) => row.key)).toEqual([
      "x/a.csv#0",
      "x/a.csv#1",
      "x/a.csv#2",
      "x/a.csv#3",
      "x/a.csv#4",
    ]);
    expect(await readParquet(world, "b.parquet")).toEqual([
      { row: 0n, key: "b.jsonl#0", prediction: 0, tag: "p", file_name: "b.jsonl" },
    ]);
  });

  it("per_file with a script's rows: all rows of a one-file mini-batch are that file's", async () => {
    const world = await outputWorld();
    const target = await world.target({ format: "aml", layout: "per_file", miniBatches: 2 });
    await world.stage({
      target,
      index: 0,
      attempt: 1,
      result: rowsResult(["a: 1", "a: 2"]),
      files: ["img/a.png"],
    });
    await world.stage({ target, index: 1, attempt: 1, result: rowsResult(["b: 7"]), files: ["img/b.png"] });
    await world.finalize(target);
    expect(await world.read("img/a.csv")).toBe("a: 1\na: 2\n");
    expect(await world.read("img/b.csv")).toBe("b: 7\n");
  });

  it("per_file refuses an output folder that holds anything, unless overwrite", async () => {
    const world = await outputWorld();
    await world.container.getBlockBlobClient("out/old/a.csv").upload("x\n", 2);
    const target = await world.target({ layout: "per_file", miniBatches: 1 });
    const error = await failure(checkOutputFree(target, world.deps));
    expect(error.code).toBe("OutputExists");
    expect(error.message).toContain("azureml://datastores/ws/paths/out/old/a.csv");
    await checkOutputFree(
      await world.target({ layout: "per_file", miniBatches: 1, overwrite: true }),
      world.deps,
    );
  });
});
