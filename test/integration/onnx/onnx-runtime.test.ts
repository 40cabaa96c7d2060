import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxRuntime } from "../../../src/scoring/onnx/onnx-runtime.js";
import type { MiniBatchFile, ScoringContext, ScoringRuntime } from "../../../src/scoring/runtime.js";
import type { LogRecord } from "../../../src/spec/log-record.schema.js";
import { perColumn, tensorModel, typedColumns } from "../../fixtures/models/weights.js";

const fixtures = resolve("test/fixtures/models");
let dir: string;
const runtimes: ScoringRuntime[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-onnx-"));
});
afterAll(async () => {
  for (const runtime of runtimes) await runtime.shutdown();
  await rm(dir, { recursive: true, force: true });
});

function context(logs: Pick<LogRecord, "level" | "message">[] = []): ScoringContext {
  const log = (level: LogRecord["level"]) => (message: string) => logs.push({ level, message });
  return {
    modelDir: "",
    outputDir: dir,
    env: {},
    inputs: {},
    outputs: {},
    logger: { debug: log("debug"), info: log("info"), warn: log("warning"), error: log("error") },
  };
}

async function runtimeFor(
  modelDir: string,
  env: Record<string, string> = {},
  logs?: Pick<LogRecord, "level" | "message">[],
) {
  const runtime = await createOnnxRuntime({ kind: "onnx", modelDir, outputDir: dir, env }, context(logs));
  runtimes.push(runtime);
  return runtime;
}

async function file(
  name: string,
  content: string | Uint8Array,
  extra: Partial<MiniBatchFile> = {},
): Promise<MiniBatchFile> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}-${name.replaceAll("/", "_")}`);
  await writeFile(path, content);
  return { path, name, rowOffset: 0, ...extra };
}

/** The per-column model in plain TypeScript: float32 inputs, a dot product and a bias. */
function perColumnPrediction(a: number, b: number, c: number): number {
  const [wa, wb, wc] = perColumn.weights;
  return Math.fround(a) * wa + Math.fround(b) * wb + Math.fround(c) * wc + perColumn.bias;
}

function rowsOf(records: unknown[]): Record<string, unknown>[] {
  return records as Record<string, unknown>[];
}

describe("createOnnxRuntime on a model with one input per column", () => {
  const values = Array.from({ length: 23 }, (_, i) => ({ a: i * 0.5 - 3, b: (i * 7) % 5, c: i / 3 }));

  it("scores CSV, JSON lines and parquet files; predictions equal a plain TypeScript recomputation", async () => {
    const logs: Pick<LogRecord, "level" | "message">[] = [];
    const runtime = await runtimeFor(join(fixtures, "per-column"), { BATCHFN_ONNX_BATCH_ROWS: "5" }, logs);
    expect(logs.some((l) => l.level === "info" && l.message.includes("one column per input, by name"))).toBe(
      true,
    );
    const csv = `c,extra,a,b\n${values.map((v) => `${v.c},x,${v.a},${v.b}`).join("\n")}\n`;
    const jsonl = values.map((v) => JSON.stringify(v)).join("\n");
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "b", data: values.map((v) => v.b), type: "DOUBLE" },
        { name: "a", data: values.map((v) => v.a), type: "DOUBLE" },
        { name: "c", data: Float32Array.from(values.map((v) => v.c)), type: "FLOAT" },
      ],
    });
    const files = [
      await file("in/one.csv", csv),
      await file("in/two.jsonl", jsonl),
      await file("in/three.parquet", new Uint8Array(parquet)),
    ];
    const result = await runtime.run({ index: 0, attempt: 1, files });
    expect(result.failedItems).toEqual([]);
    expect(result.succeededItems).toBe(3);
    const rows = rowsOf(result.rows);
    expect(rows).toHaveLength(3 * values.length);
    for (const [f, name] of ["in/one.csv", "in/two.jsonl", "in/three.parquet"].entries()) {
      const fileRows = rows.filter((r) => r.file_name === name);
      expect(fileRows.map((r) => r.row)).toEqual(values.map((_, i) => i));
      fileRows.forEach((row, i) => {
        const v = values[i];
        if (!v) throw new Error("row");
        expect(Object.keys(row)).toEqual(["row", "prediction", "file_name"]);
        expect(row.prediction as number, `file ${f} row ${i}`).toBeCloseTo(
          perColumnPrediction(v.a, v.b, v.c),
          5,
        );
      });
    }
  });

  it("scores files handed over as bytes (no local file) exactly as the same files on disk", async () => {
    const runtime = await runtimeFor(join(fixtures, "per-column"), { BATCHFN_ONNX_BATCH_ROWS: "5" });
    const csv = `c,extra,a,b\n${values.map((v) => `${v.c},x,${v.a},${v.b}`).join("\n")}\n`;
    const jsonl = values.map((v) => JSON.stringify(v)).join("\n");
    const parquet = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "a", data: values.map((v) => v.a), type: "DOUBLE" },
          { name: "b", data: values.map((v) => v.b), type: "DOUBLE" },
          { name: "c", data: values.map((v) => v.c), type: "DOUBLE" },
        ],
      }),
    );
    const onDisk = [
      await file("one.csv", csv),
      await file("two.jsonl", jsonl),
      await file("three.parquet", parquet),
    ];
    const bytes = [csv, jsonl, parquet].map((content) =>
      typeof content === "string" ? Buffer.from(content) : content.slice(),
    );
    const inMemory = onDisk.map((f, i) => ({ ...f, path: join(dir, "absent", f.name), data: bytes[i] }));
    for (const output of [undefined, { format: "csv" as const, perFile: false }]) {
      const fromDisk = await runtime.run({
        index: 0,
        attempt: 1,
        files: onDisk,
        ...(output ? { output } : {}),
      });
      const fromMemory = await runtime.run({
        index: 0,
        attempt: 1,
        files: inMemory,
        ...(output ? { output } : {}),
      });
      expect(fromMemory.failedItems).toEqual([]);
      expect(fromMemory).toEqual(fromDisk);
    }
  });

  it("numbers rows from the range's offset and counts the rows of a row range as items", async () => {
    const runtime = await runtimeFor(join(fixtures, "per-column"));
    const range = await file("big.csv", "a,b,c\n1,2,3\n4,5,6\n", { rowOffset: 1000, rowCount: 2 });
    const result = await runtime.run({ index: 3, attempt: 2, files: [range] });
    expect(result.succeededItems).toBe(2);
    expect(rowsOf(result.rows).map((r) => [r.row, r.file_name])).toEqual([
      [1000, "big.csv"],
      [1001, "big.csv"],
    ]);
  });

  it("fails only the file with a missing column or a non-numeric value, naming file, column and row", async () => {
    const logs: Pick<LogRecord, "level" | "message">[] = [];
    const runtime = await runtimeFor(join(fixtures, "per-column"), {}, logs);
    const files = [
      await file("ok-1.csv", "a,b,c\n1,1,1\n"),
      await file("no-c.csv", "a,b\n1,2\n"),
      await file("bad-b.csv", "a,b,c\n1,2,3\n1,2,3\n1,oops,3\n"),
      await file("bad-range.csv", "a,b,c\n1,2,3\n1,,3\n1,seven,3\n", { rowOffset: 500, rowCount: 3 }),
      await file("notes.txt", "a,b,c\n1,2,3\n"),
      await file("ragged.csv", "a,b,c\n1,2\n"),
      await file("ok-2.jsonl", '{"a":2,"b":2,"c":2}\n'),
    ];
    const result = await runtime.run({ index: 0, attempt: 1, files });
    expect(result.succeededItems).toBe(2);
    expect(rowsOf(result.rows).map((r) => r.file_name)).toEqual(["ok-1.csv", "ok-2.jsonl"]);
    const failures = Object.fromEntries(result.failedItems.map((f) => [f.item, f]));
    expect(failures["no-c.csv"]).toMatchObject({ count: 1, code: "MissingColumn" });
    expect(failures["no-c.csv"]?.message).toContain("File 'no-c.csv' has no column 'c'");
    expect(failures["bad-b.csv"]).toMatchObject({ count: 1, code: "InvalidColumnValue" });
    expect(failures["bad-b.csv"]?.message).toContain(
      "File 'bad-b.csv', row 3, column 'b': the value 'oops' is not a number",
    );
    expect(failures["bad-range.csv"]).toMatchObject({ count: 3, code: "InvalidColumnValue" });
    expect(failures["bad-range.csv"]?.message).toContain("row 503, column 'b'");
    expect(failures["notes.txt"]).toMatchObject({ count: 1, code: "UnsupportedFileType" });
    expect(failures["ragged.csv"]).toMatchObject({ count: 1, code: "InvalidInputFile" });
    expect(failures["ragged.csv"]?.message).toContain("column 'c' has no value");
    expect(logs.filter((l) => l.level === "warning")).toHaveLength(5);
  });
});

describe("createOnnxRuntime on MLflow models", () => {
  it("maps a column signature by name whatever the file's column order, with typed inputs and several outputs", async () => {
    const runtime = await runtimeFor(join(fixtures, "mlflow-typed"), { BATCHFN_ONNX_BATCH_ROWS: "2" });
    const csv = "label,unused,k,flag,n,x\n007,u,10,true,3,1.5\nb,u,-2,False,4,-0.25\n,u,0,1,0,0\n";
    const result = await runtime.run({ index: 0, attempt: 1, files: [await file("typed.csv", csv)] });
    expect(result.failedItems).toEqual([]);
    expect(rowsOf(result.rows)).toEqual([
      {
        row: 0,
        score: 1.5 * typedColumns.xFactor + 3 + 10,
        flag_out: false,
        label_out: "007",
        file_name: "typed.csv",
      },
      {
        row: 1,
        score: -0.25 * typedColumns.xFactor + 4 - 2,
        flag_out: true,
        label_out: "b",
        file_name: "typed.csv",
      },
      { row: 2, score: 0, flag_out: false, label_out: "", file_name: "typed.csv" },
    ]);
  });

  it("fails a file whose integer column holds a fraction or misses a signature column", async () => {
    const runtime = await runtimeFor(join(fixtures, "mlflow-typed"));
    const files = [
      await file("fraction.csv", "x,n,flag,label,k\n1,2.5,true,a,1\n"),
      await file("missing.jsonl", '{"x":1,"n":2,"flag":true,"k":1}\n'),
    ];
    const result = await runtime.run({ index: 0, attempt: 1, files });
    expect(result.succeededItems).toBe(0);
    expect(result.failedItems[0]).toMatchObject({ item: "fraction.csv", code: "InvalidColumnValue" });
    expect(result.failedItems[0]?.message).toContain("row 1, column 'n': the value 2.5 is not an integer");
    expect(result.failedItems[1]).toMatchObject({ item: "missing.jsonl", code: "MissingColumn" });
    expect(result.failedItems[1]?.message).toContain("no column 'label'");
  });

  it("feeds all numeric columns in file order to a tensor signature; a [N,K] output becomes K columns", async () => {
    const runtime = await runtimeFor(join(fixtures, "mlflow-tensor"));
    const features = [
      [1, 2, 3, 4],
      [0, 0, 0, 1],
      [-1.5, 0.25, 2, 8],
    ];
    const csv = `id_text,f1,f2,f3,f4\n${features.map((f, i) => `r${i},${f.join(",")}`).join("\n")}\n`;
    const result = await runtime.run({ index: 0, attempt: 1, files: [await file("tensor.csv", csv)] });
    expect(result.failedItems).toEqual([]);
    rowsOf(result.rows).forEach((row, i) => {
      const f = features[i] ?? [];
      const logits = [0, 1].map(
        (j) =>
          f.reduce((sum, x, k) => sum + Math.fround(x) * (tensorModel.weights[k]?.[j] ?? 0), 0) +
          (tensorModel.bias[j] ?? 0),
      );
      expect(Object.keys(row)).toEqual(["row", "logits_0", "logits_1", "label", "file_name"]);
      expect(row.logits_0 as number).toBeCloseTo(logits[0] ?? 0, 5);
      expect(row.logits_1 as number).toBeCloseTo(logits[1] ?? 0, 5);
      expect(row.label).toBe((logits[1] ?? 0) > (logits[0] ?? 0) ? 1 : 0);
    });
  });

  it("without a signature feeds all numeric columns to a single [N,K] input and checks K per file", async () => {
    const bare = join(dir, "bare-tensor");
    await mkdir(bare);
    await cp(join(fixtures, "mlflow-tensor", "model.onnx"), join(bare, "model.onnx"));
    const runtime = await runtimeFor(bare);
    const files = [
      await file("four.csv", "a,b,c,d\n1,2,3,4\n"),
      await file("three.csv", "a,b,c,note\n1,2,3,4x\n"),
    ];
    const result = await runtime.run({ index: 0, attempt: 1, files });
    expect(result.succeededItems).toBe(1);
    expect(result.failedItems).toEqual([
      expect.objectContaining({
        item: "three.csv",
        code: "InputSchemaMismatch",
        message: expect.stringContaining(
          "has 3 numeric columns ('a', 'b', 'c') but input 'input' takes 4 values per row",
        ),
      }),
    ]);
    expect(result.failedItems[0]?.message).toContain("not numeric: 'note' (row 1: '4x')");
  });

  it("refuses a scikit-learn-only MLflow model with UnsupportedModelFlavor", async () => {
    await expect(
      createOnnxRuntime(
        { kind: "onnx", modelDir: join(fixtures, "mlflow-sklearn"), outputDir: dir, env: {} },
        context(),
      ),
    ).rejects.toMatchObject({ code: "UnsupportedModelFlavor", message: expect.stringContaining("skl2onnx") });
  });

  it("refuses bad runtime settings naming the variable", async () => {
    await expect(
      createOnnxRuntime(
        {
          kind: "onnx",
          modelDir: join(fixtures, "per-column"),
          outputDir: dir,
          env: { BATCHFN_ONNX_BATCH_ROWS: "0" },
        },
        context(),
      ),
    ).rejects.toMatchObject({
      code: "InvalidSpec",
      details: [expect.objectContaining({ path: "BATCHFN_ONNX_BATCH_ROWS" })],
    });
  });
});
