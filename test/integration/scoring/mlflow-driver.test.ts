import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { driverItems } from "../../../src/scoring/mlflow/driver-items.js";
import { pythonMlflowModel } from "../../../src/scoring/mlflow/python-model.js";
import { locateModel } from "../../../src/scoring/onnx/inspect-model.js";
import type { MiniBatchFile } from "../../../src/scoring/runtime.js";
import { runPythonJson, testPython } from "../../support/python.js";

/**
 * batchfn's no-code MLflow driver (src/scoring/mlflow/driver/), run by the real Python on real
 * scikit-learn models: loading without mlflow, reading CSV, JSON lines, Parquet (handed over by the
 * Node side) and images, the signature rules, and Azure ML's no-code rows.
 */
const run = promisify(execFile);
const driverDir = resolve("src/scoring/mlflow/driver");
const fixtures = resolve("test/fixtures/mlflow");
const diabetes = resolve("examples/sklearn-diabetes");
let python: string;
let dir: string;

const resultSchema = z.object({
  rows: z.array(z.record(z.string(), z.unknown())),
  succeededItems: z.number(),
  failedItems: z.array(
    z.object({ item: z.string(), count: z.number(), code: z.string(), message: z.string() }),
  ),
});
type DriverResult = z.infer<typeof resultSchema>;

beforeAll(async () => {
  python = testPython();
  dir = await mkdtemp(join(tmpdir(), "batchfn-mlflow-driver-"));
  await run(python, [join(fixtures, "make_models.py"), dir]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes an MLflow folder around a pickled model, as mlflow.sklearn.log_model lays it out. */
async function mlflowFolder(
  name: string,
  options: {
    pickle: string;
    format: "pickle" | "cloudpickle";
    inputs?: unknown[];
    outputs?: unknown[];
    loader?: string;
  },
): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  await copyFile(options.pickle, join(folder, "model.pkl"));
  const signature = options.inputs
    ? `signature:\n  inputs: '${JSON.stringify(options.inputs)}'\n  outputs: '${JSON.stringify(options.outputs ?? [])}'\n`
    : "";
  await writeFile(
    join(folder, "MLmodel"),
    `artifact_path: model\nflavors:\n  python_function:\n    loader_module: ${options.loader ?? "mlflow.sklearn"}\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: ${options.format}\n    sklearn_version: 1.2.1\n${signature}`,
  );
  return folder;
}

async function score(modelDir: string, files: MiniBatchFile[]): Promise<DriverResult> {
  const model = pythonMlflowModel(await locateModel(modelDir));
  if (!model) throw new Error(`${modelDir} is not a Python MLflow model`);
  const handover = await mkdtemp(join(dir, "handover-"));
  const { items, failedItems } = await driverItems(files, handover);
  const { stdout } = await run(python, [join(fixtures, "run_driver.py"), driverDir, JSON.stringify(items)], {
    env: { ...process.env, BATCHFN_MLFLOW_MODEL: model.driverDescription },
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
  if ("initError" in parsed) throw new Error(parsed.initError);
  const result = resultSchema.parse(parsed);
  return { ...result, failedItems: [...failedItems, ...result.failedItems] };
}

async function inputFile(name: string, content: string | Uint8Array): Promise<MiniBatchFile> {
  const path = join(dir, "in", name);
  await mkdir(join(dir, "in"), { recursive: true });
  await writeFile(path, content);
  return { path, name, rowOffset: 0 };
}

/** The example model's own predictions for rows of test-set.csv, computed in Python. */
async function diabetesPredictions(file: string): Promise<number[]> {
  return z.array(z.number()).parse(
    await runPythonJson(
      python,
      `
import cloudpickle, json, pandas as pd
model = cloudpickle.load(open("model/model.pkl", "rb"))
test = pd.read_csv("train/test-set.csv")
rows = test[test["file"] == ${JSON.stringify(file)}]
print(json.dumps(model.predict(rows[list(model.feature_names_in_)]).tolist()))
`,
      { cwd: diabetes },
    ),
  );
}

describe("no-code MLflow driver", () => {
  it("scores the sklearn-diabetes example's CSV and Parquet files with the model's own predictions", async () => {
    const files = ["patients-01.csv", "patients-03.parquet"].map((name) => ({
      path: join(diabetes, "data", name),
      name: `data/${name}`,
      rowOffset: 0,
    }));
    const result = await score(join(diabetes, "model"), files);
    expect(result.failedItems).toEqual([]);
    expect(result.succeededItems).toBe(2);
    const expected = [
      ...(await diabetesPredictions("patients-01.csv")).map((prediction, row) => ({
        row,
        prediction,
        file_name: "data/patients-01.csv",
      })),
      ...(await diabetesPredictions("patients-03.parquet")).map((prediction, row) => ({
        row,
        prediction,
        file_name: "data/patients-03.parquet",
      })),
    ];
    expect(result.rows).toEqual(expected);
  });

  it("takes columns by name, drops extra ones, widens integers to double and numbers rows from the offset", async () => {
    const csv = await readFile(join(diabetes, "data", "patients-02.csv"), "utf8");
    const [header, ...lines] = csv.trim().split("\n");
    const columns = (header ?? "").split(",");
    // Columns reversed, an extra id column first, bmi written as integers (rounded).
    const bmi = columns.indexOf("bmi");
    const reordered = [
      ["patient_id", ...[...columns].reverse()].join(","),
      ...lines.map((line, index) => {
        const cells = line.split(",");
        cells[bmi] = String(Math.round(Number(cells[bmi])));
        return [`p${index}`, ...cells.reverse()].join(",");
      }),
    ].join("\n");
    const file = { ...(await inputFile("reordered.csv", reordered)), rowOffset: 100 };
    const result = await score(join(diabetes, "model"), [file]);
    expect(result.failedItems).toEqual([]);
    const expected = z.array(z.number()).parse(
      await runPythonJson(
        python,
        `
import cloudpickle, json, pandas as pd
model = cloudpickle.load(open(${JSON.stringify(join(diabetes, "model", "model.pkl"))}, "rb"))
frame = pd.read_csv(${JSON.stringify(file.path)})
print(json.dumps(model.predict(frame[list(model.feature_names_in_)].astype({"bmi": "float64"})).tolist()))
`,
      ),
    );
    expect(result.rows.map((row) => row.row)).toEqual(expected.map((_, index) => 100 + index));
    expect(result.rows.map((row) => row.prediction)).toEqual(expected);
  });

  it("fails alone a file missing a column (naming it), a float in a long column and a Parquet DOUBLE where the signature says long", async () => {
    const good = { path: join(diabetes, "data", "patients-01.csv"), name: "patients-01.csv", rowOffset: 0 };
    const missing = await inputFile("missing.csv", "age,sex,bmi\n50,1,22.5\n");
    const fractional = await inputFile(
      "fractional.csv",
      "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6\n50,1,22.5,90,180,100,50,4,4.5,90\n50.5,1,22.5,90,180,100,50,4,4.5,90\n",
    );
    const names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"];
    const parquet = await inputFile(
      "doubles.parquet",
      new Uint8Array(
        parquetWriteBuffer({
          columnData: names.map((name) => ({
            name,
            data: Float64Array.from([50, 51]),
            type: "DOUBLE" as const,
          })),
        }),
      ),
    );
    const result = await score(join(diabetes, "model"), [missing, good, fractional, parquet]);
    expect(result.succeededItems).toBe(1);
    expect(result.rows).toHaveLength(22);
    expect(result.rows.every((row) => row.file_name === "patients-01.csv")).toBe(true);
    expect(result.failedItems.map((failure) => [failure.item, failure.code])).toEqual([
      ["missing.csv", "MissingColumn"],
      ["fractional.csv", "InvalidColumnValue"],
      ["doubles.parquet", "InvalidColumnValue"],
    ]);
    const [missingFailure, fractionalFailure, parquetFailure] = result.failedItems;
    expect(missingFailure?.message).toContain("'bp', 's1', 's2', 's3', 's4', 's5', 's6'");
    expect(fractionalFailure?.message).toContain("column 'age'");
    expect(fractionalFailure?.message).toContain("row 2 holds 50.5");
    expect(parquetFailure?.message).toContain("column 'age' holds float64 values");
    expect(parquetFailure?.message).toContain("floating point → integer is refused");
  });

  it("reads JSON lines, refuses other file types and fails an unreadable Parquet file alone", async () => {
    const line = { age: 50, sex: 1, bmi: 22.5, bp: 90, s1: 180, s2: 100, s3: 50, s4: 4, s5: 4.5, s6: 90 };
    const jsonl = await inputFile(
      "one.jsonl",
      `${JSON.stringify(line)}\n${JSON.stringify({ ...line, age: 60 })}\n`,
    );
    const text = await inputFile("notes.txt", "hello");
    const broken = { ...(await inputFile("broken.parquet", "not parquet")), rowCount: 7 };
    const result = await score(join(diabetes, "model"), [jsonl, text, broken]);
    expect(result.rows.map((row) => [row.row, row.file_name])).toEqual([
      [0, "one.jsonl"],
      [1, "one.jsonl"],
    ]);
    expect(result.failedItems).toEqual([
      expect.objectContaining({ item: "broken.parquet", count: 7, code: "InvalidInputFile" }),
      expect.objectContaining({ item: "notes.txt", count: 1, code: "UnsupportedFileType" }),
    ]);
  });

  it("gives a multi-output model one column per output: named by the output signature, else prediction_<k>", async () => {
    const inputs = [
      { name: "a", type: "double" },
      { name: "b", type: "double" },
    ];
    const named = await mlflowFolder("multi-named", {
      pickle: join(dir, "multi.pkl"),
      format: "pickle",
      inputs,
      outputs: [
        { name: "low", type: "double" },
        { name: "high", type: "double" },
      ],
    });
    const unnamed = await mlflowFolder("multi-unnamed", {
      pickle: join(dir, "multi.pkl"),
      format: "pickle",
      inputs,
    });
    const file = await inputFile("ab.csv", "a,b\n1,1\n2,0\n");
    const withNames = await score(named, [file]);
    expect(withNames.rows).toEqual([
      { row: 0, low: expect.closeTo(3, 9), high: expect.closeTo(2, 9), file_name: "ab.csv" },
      { row: 1, low: expect.closeTo(2, 9), high: expect.closeTo(6, 9), file_name: "ab.csv" },
    ]);
    const withoutNames = await score(unnamed, [file]);
    expect(Object.keys(withoutNames.rows[0] ?? {})).toEqual([
      "row",
      "prediction_0",
      "prediction_1",
      "file_name",
    ]);
  });

  it("scores images as numpy arrays shaped by a tensor signature, one prediction per image and no row column", async () => {
    const folder = await mlflowFolder("digits-tensor", {
      pickle: resolve("examples/digits-python/model/model.pkl"),
      format: "pickle",
      inputs: [{ type: "tensor", "tensor-spec": { dtype: "float64", shape: [-1, 64] } }],
    });
    const images = ["digit-0001.png", "digit-0003.png"].map((name) => ({
      path: resolve("examples/digits/data", name),
      name,
      rowOffset: 0,
    }));
    const result = await score(folder, images);
    const expected = z.array(z.number()).parse(
      await runPythonJson(
        python,
        `
import json, pickle, numpy as np
from PIL import Image
model = pickle.load(open("examples/digits-python/model/model.pkl", "rb"))
images = [np.asarray(Image.open(f"examples/digits/data/{n}"), dtype=np.float64).reshape(1, 64) for n in ["digit-0001.png", "digit-0003.png"]]
print(json.dumps([int(model.predict(i)[0]) for i in images]))
`,
      ),
    );
    expect(result.rows).toEqual([
      { prediction: expected[0], file_name: "digit-0001.png" },
      { prediction: expected[1], file_name: "digit-0003.png" },
    ]);
  });

  it("loads a cloudpickled model without a signature and fails a file its predict() rejects alone", async () => {
    const folder = await mlflowFolder("plain", { pickle: join(dir, "plain.pkl"), format: "cloudpickle" });
    const good = await inputFile("plain.csv", "a,b\n1,1\n");
    const bad = await inputFile("words.csv", "a,b\nx,y\n");
    const result = await score(folder, [good, bad]);
    expect(result.rows).toEqual([{ row: 0, prediction: expect.closeTo(3, 9), file_name: "plain.csv" }]);
    expect(result.failedItems).toEqual([
      expect.objectContaining({
        item: "words.csv",
        code: "ModelRunFailed",
        message: expect.stringContaining("predict failed"),
      }),
    ]);
  });

  it("fails init() of a pyfunc flavor other than mlflow.sklearn when mlflow is not importable, naming it", async () => {
    const folder = await mlflowFolder("xgb", {
      pickle: join(dir, "plain.pkl"),
      format: "cloudpickle",
      loader: "mlflow.xgboost",
    });
    await expect(score(folder, [])).rejects.toThrow(/loader_module mlflow\.xgboost needs the mlflow package/);
  });
});
