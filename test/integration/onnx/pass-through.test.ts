import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parquetFooter } from "../../../src/io/output/parquet-footer.js";
import { parquetMagic } from "../../../src/io/output/parquet-part.js";
import { createOnnxRuntime } from "../../../src/scoring/onnx/onnx-runtime.js";
import type { MiniBatchFile, MiniBatchInput, ScoringRuntime } from "../../../src/scoring/runtime.js";

const fixtures = resolve("test/fixtures/models");
let dir: string;
let runtime: ScoringRuntime;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-pass-"));
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const modelDir = join(fixtures, "per-column");
  runtime = await createOnnxRuntime(
    { kind: "onnx", modelDir, outputDir: dir, env: { BATCHFN_ONNX_BATCH_ROWS: "2" } },
    { modelDir, outputDir: dir, env: {}, logger, inputs: {}, outputs: {} },
  );
});
afterAll(async () => {
  await runtime.shutdown();
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | ArrayBuffer, extra: Partial<MiniBatchFile> = {}) {
  const path = join(dir, `${Math.random().toString(36).slice(2)}-${name.replaceAll("/", "_")}`);
  await writeFile(path, typeof content === "string" ? content : new Uint8Array(content));
  return { path, name, rowOffset: 0, ...extra };
}

const CSV = 'id,a,b,c,city\n007,1,2,3,Oslo\n008,0.5,1.50,2,\n009,1,1,1,"Bergen, NO"\n';

async function run(input: Omit<MiniBatchInput, "index" | "attempt">) {
  return runtime.run({ index: 0, attempt: 1, ...input });
}

/** The Parquet file the finaliser would make of one mini-batch's single piece. */
async function parquetRows(piece: NonNullable<Awaited<ReturnType<typeof run>>["pieces"]>[number]) {
  const footer = parquetFooter(
    [
      {
        miniBatch: 0,
        bytes: piece.content.length,
        rows: piece.rows,
        columns: piece.columns ?? [],
        types: piece.types ?? [],
        footer: piece.footer ?? new Uint8Array(),
      },
    ],
    "p",
  );
  const body = piece.content as Uint8Array;
  const whole = new Uint8Array(4 + body.length + footer.length);
  whole.set(parquetMagic());
  whole.set(body, 4);
  whole.set(footer, 4 + body.length);
  return parquetReadObjects({ file: whole.buffer });
}

describe("pass-through columns of the no-code ONNX runtime", () => {
  it("copies the key after row and joins included columns as the CSV holds them (text, exactly)", async () => {
    const csv = await file("in/a.csv", CSV);
    const result = await run({
      files: [csv],
      passThrough: { keyField: "id", include: ["city", "b"] },
      output: { format: "csv", perFile: false },
    });
    const piece = result.pieces?.[0];
    expect(piece?.columns).toEqual(["row", "id", "b", "city", "prediction", "file_name"]);
    const lines = String(piece?.content).trimEnd().split("\n");
    expect(lines.map((line) => line.split(",").slice(0, 3).join(","))).toEqual([
      "0,007,2",
      "1,008,1.50",
      "2,009,1",
    ]);
    expect(lines[2]).toContain('"Bergen, NO"');
    expect(lines[1]?.split(",")[3]).toBe("");
  });

  it("reads the pass-through columns from the bytes of a file handed over in memory", async () => {
    const inMemory = {
      path: join(dir, "absent", "m.csv"),
      name: "m.csv",
      rowOffset: 0,
      data: Buffer.from(CSV),
    };
    const result = await run({ files: [inMemory], passThrough: { keyField: "id" } });
    expect(result.failedItems).toEqual([]);
    expect(result.rows.map((row) => (row as Record<string, unknown>).id)).toEqual(["007", "008", "009"]);
  });

  it("joins every column but the excluded ones, renaming one that a prediction column takes", async () => {
    const csv = await file("a.csv", "a,b,c,prediction,row\n1,2,3,x,y\n");
    const result = await run({
      files: [csv],
      passThrough: { exclude: ["b", "c"] },
      output: { format: "jsonl", perFile: false },
    });
    const line = JSON.parse(String(result.pieces?.[0]?.content));
    expect(Object.keys(line)).toEqual([
      "row",
      "a",
      "input_prediction",
      "input_row",
      "prediction",
      "file_name",
    ]);
    expect(line).toMatchObject({ row: 0, a: "1", input_prediction: "x", input_row: "y", file_name: "a.csv" });
  });

  it("keeps Parquet's own types in Parquet output: INT64 exactly, FLOAT shortest, text", async () => {
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "id", data: [2n ** 60n + 1n, 2n ** 60n + 2n], type: "INT64" },
        { name: "a", data: [1, 2], type: "DOUBLE" },
        { name: "b", data: Float32Array.from([0.1, 0.2]), type: "FLOAT" },
        { name: "c", data: [3, 4], type: "DOUBLE" },
        { name: "tag", data: ["x", null], type: "STRING" },
      ],
    });
    const input = await file("p.parquet", parquet);
    const result = await run({
      files: [input],
      passThrough: { keyField: "id", include: ["*"] },
      output: { format: "parquet", perFile: false },
    });
    const piece = result.pieces?.[0];
    expect(piece?.columns).toEqual(["row", "id", "a", "b", "c", "tag", "prediction", "file_name"]);
    expect(piece?.types).toEqual([
      "int64",
      "int64",
      "float64",
      "float32",
      "float64",
      "string",
      "float32",
      "string",
    ]);
    const rows = await parquetRows(piece as NonNullable<typeof piece>);
    expect(rows.map((row) => [row.row, row.id, row.b, row.tag, row.file_name])).toEqual([
      [0n, 2n ** 60n + 1n, Math.fround(0.1), "x", "p.parquet"],
      [1n, 2n ** 60n + 2n, Math.fround(0.2), null, "p.parquet"],
    ]);
    const text = await run({
      files: [input],
      passThrough: { keyField: "id", include: ["b"] },
      output: { format: "csv", perFile: false },
    });
    expect(String(text.pieces?.[0]?.content).split("\n")[0]).toMatch(/^0,1152921504606846977,0\.1,/);
  });

  it("joins JSON lines values with their kinds, and numbers each file's rows from its row range", async () => {
    const jsonl = await file(
      "j.jsonl",
      '{"a":1,"b":2,"c":3,"k":"x","n":1.5}\n{"a":1,"b":2,"c":3,"k":"y","n":null}\n',
      {
        rowOffset: 10,
        rowCount: 2,
      },
    );
    const result = await run({ files: [jsonl], passThrough: { keyField: "k", include: ["n"] } });
    expect(result.rows).toEqual([
      expect.objectContaining({ row: 10, k: "x", n: 1.5, file_name: "j.jsonl" }),
      expect.objectContaining({ row: 11, k: "y", n: null, file_name: "j.jsonl" }),
    ]);
  });

  it("fails a file without the key_field alone, naming the column; the other files are scored", async () => {
    const good = await file("good.csv", CSV);
    const bad = await file("bad.csv", "a,b,c\n1,2,3\n");
    const result = await run({
      files: [bad, good],
      passThrough: { keyField: "id" },
      output: { format: "csv", perFile: true },
    });
    expect(result.succeededItems).toBe(1);
    expect(result.failedItems).toEqual([
      expect.objectContaining({
        item: "bad.csv",
        code: "MissingColumn",
        message: expect.stringContaining("no column 'id', named by key_field"),
      }),
    ]);
    expect(result.pieces?.map((piece) => [piece.file, piece.rows])).toEqual([["good.csv", 3]]);
  });

  it("writes one piece per file with per_file, an empty file's piece holding its columns", async () => {
    const a = await file("a.csv", CSV);
    const empty = await file("e.csv", "id,a,b,c,city\n");
    const result = await run({
      files: [a, empty],
      passThrough: { keyField: "id" },
      output: { format: "csv", perFile: true },
    });
    expect(result.pieces?.map((piece) => [piece.file, piece.rows, piece.columns])).toEqual([
      ["a.csv", 3, ["row", "id", "prediction", "file_name"]],
      ["e.csv", 0, ["row", "id", "prediction", "file_name"]],
    ]);
  });
});
