import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { mlflowRuntimeSpec, pythonMlflowModel } from "../../../src/scoring/mlflow/python-model.js";
import { locateModel } from "../../../src/scoring/onnx/inspect-model.js";
import type { ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import { createPythonPool } from "../../../src/scoring/python/python-pool.js";
import type { MiniBatchFile } from "../../../src/scoring/runtime.js";
import { workerEnv } from "../../../src/scoring/runtime-env.js";
import { runPythonJson, testPython } from "../../support/python.js";

/**
 * The no-code MLflow driver in the Python pool, as a deployment without a scoring script runs it:
 * real Python processes, the sklearn-diabetes example's model folder unchanged.
 */
const example = resolve("examples/sklearn-diabetes");
let dir: string;
let pool: ScoringPool | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-mlflow-pool-"));
});
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mlflowPool(workers = 1): Promise<{ pool: ScoringPool; env: Record<string, string> }> {
  const modelDir = join(example, "model");
  const model = pythonMlflowModel(await locateModel(modelDir));
  if (!model) throw new Error("the example is not a Python MLflow model");
  const runtime = mlflowRuntimeSpec({ model, interpreter: testPython(), modelDir, outputDir: dir, env: {} });
  pool = createPythonPool({
    runtime,
    workers,
    timeoutSeconds: 60,
    workerMemoryMb: 2048,
    loggingLevel: "info",
  });
  return { pool, env: workerEnv(runtime) };
}

function exampleFile(name: string, extra: Partial<MiniBatchFile> = {}): MiniBatchFile {
  return { path: join(example, "data", name), name, rowOffset: 0, ...extra };
}

describe("no-code MLflow models in the Python pool", () => {
  it("scores the example's CSV and Parquet files with the model's own predictions, in Azure ML's no-code rows", async () => {
    const { pool: scoring, env } = await mlflowPool();
    const names = ["patients-01.csv", "patients-04.parquet"];
    const { result, logs } = await scoring.run({
      index: 0,
      attempt: 1,
      files: names.map((n) => exampleFile(n)),
    });
    expect(result.failedItems).toEqual([]);
    expect(result.succeededItems).toBe(2);
    const expected = z.array(z.array(z.number())).parse(
      await runPythonJson(
        testPython(),
        `
import cloudpickle, json, pandas as pd
model = cloudpickle.load(open("model/model.pkl", "rb"))
test = pd.read_csv("train/test-set.csv")
print(json.dumps([model.predict(test[test["file"] == n][list(model.feature_names_in_)]).tolist() for n in ${JSON.stringify(names)}]))
`,
        { cwd: example, onlyEnv: env },
      ),
    );
    expect(result.rows).toEqual(
      names.flatMap((name, at) =>
        (expected[at] ?? []).map((prediction, row) => ({ row, prediction, file_name: name })),
      ),
    );
    expect(
      logs.some((record) => record.message.includes("MLflow model loaded: Pipeline from model.pkl")),
    ).toBe(true);
  });

  it("fails a file alone and counts the rows of a failed row range, keeping the original row numbers", async () => {
    const { pool: scoring } = await mlflowPool();
    const broken = join(dir, "broken.parquet");
    await writeFile(broken, "not parquet");
    const range = join(dir, "range.csv");
    await copyFile(join(example, "data", "patients-02.csv"), range);
    const { result } = await scoring.run({
      index: 3,
      attempt: 1,
      files: [
        { path: broken, name: "in/broken.parquet", rowOffset: 40, rowCount: 5 },
        { path: range, name: "in/big.csv", rowOffset: 1000, rowCount: 22 },
        { path: join(dir, "missing.csv"), name: "in/missing.csv", rowOffset: 0 },
      ],
    });
    expect(result.failedItems).toEqual([
      expect.objectContaining({ item: "in/broken.parquet", count: 5, code: "InvalidInputFile" }),
      expect.objectContaining({ item: "in/missing.csv", count: 1, code: "InvalidInputFile" }),
    ]);
    expect(result.succeededItems).toBe(22);
    const rows = z.array(z.object({ row: z.number(), file_name: z.string() }).loose()).parse(result.rows);
    expect(rows.map((row) => row.row)).toEqual(Array.from({ length: 22 }, (_, i) => 1000 + i));
    expect(rows.every((row) => row.file_name === "in/big.csv")).toBe(true);
  });

  it("joins pass-through columns to each file's rows and writes them per file, typed from the model's outputs", async () => {
    const { pool: scoring } = await mlflowPool();
    const missingKey = join(dir, "no-key.csv");
    await writeFile(missingKey, "sex,bmi,bp,s1,s2,s3,s4,s5,s6\n1,33.0,95.0,182,114.8,54.0,3.0,4.1897,74\n");
    const scored = await scoring.run({
      index: 3,
      attempt: 1,
      files: [
        exampleFile("patients-01.csv"),
        { path: missingKey, name: "no-key.csv", rowOffset: 0 },
        exampleFile("patients-03.parquet"),
      ],
      passThrough: { keyField: "age", include: ["bmi"] },
      output: { format: "jsonl", perFile: true },
    });
    expect(scored.result.succeededItems).toBe(2);
    expect(scored.result.failedItems).toEqual([
      expect.objectContaining({
        item: "no-key.csv",
        code: "MissingColumn",
        message: expect.stringContaining("'age'"),
      }),
    ]);
    const pieces = scored.pieces ?? [];
    expect(pieces.map((piece) => piece.file)).toEqual(["patients-01.csv", "patients-03.parquet"]);
    const csvRows = String(pieces[0]?.content)
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    const csvInput = (await readFile(join(example, "data", "patients-01.csv"), "utf8"))
      .trimEnd()
      .split("\n")
      .slice(1);
    expect(csvRows).toHaveLength(csvInput.length);
    csvRows.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(["row", "age", "bmi", "prediction", "file_name"]);
      const cells = (csvInput[i] ?? "").split(",");
      expect([row.row, row.age, row.bmi]).toEqual([i, cells[0], cells[2]]);
    });
    const parquetRows = String(pieces[1]?.content)
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(typeof parquetRows[0]?.age).toBe("number");
    expect(parquetRows.every((row) => typeof row.prediction === "number")).toBe(true);

    const parquet = await scoring.run({
      index: 4,
      attempt: 1,
      files: [exampleFile("patients-02.csv")],
      passThrough: { keyField: "age" },
      output: { format: "parquet", perFile: false },
    });
    expect(parquet.pieces?.[0]?.columns).toEqual(["row", "age", "prediction", "file_name"]);
    expect(parquet.pieces?.[0]?.types).toEqual(["int64", "string", "float64", "string"]);
  });
});
