import { readdir, readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { readTable } from "../../../src/io/tabular/index.js";
import { parseMlmodel } from "../../../src/scoring/onnx/mlmodel.js";
import { runPythonJson, testPython } from "../../support/python.js";
import { examplePath, readJson } from "./example-files.js";

/**
 * The two Python examples' committed files, checked with the real Python: the MLflow folder is laid
 * out as MLflow writes it, the Parquet files hold the rows test-set.csv says they hold, and the
 * models reach the metrics their READMEs record.
 */
let python: string;
beforeAll(async () => {
  python = testPython();
});

describe("examples/sklearn-diabetes", () => {
  const model = examplePath("sklearn-diabetes", "model");

  it("holds an MLflow sklearn model folder with only MLmodel, model.pkl, conda.yaml and requirements.txt", async () => {
    expect((await readdir(model)).sort()).toEqual(["MLmodel", "conda.yaml", "model.pkl", "requirements.txt"]);
    const mlmodel = parseMlmodel(await readFile(`${model}/MLmodel`, "utf8"), "MLmodel");
    expect(mlmodel.flavors.python_function).toMatchObject({
      loader_module: "mlflow.sklearn",
      model_path: "model.pkl",
    });
    expect(mlmodel.flavors.sklearn).toMatchObject({
      pickled_model: "model.pkl",
      serialization_format: "cloudpickle",
      sklearn_version: "1.2.1",
    });
    expect(mlmodel.flavors.onnx).toBeUndefined();
    expect(mlmodel.signature).toEqual({
      kind: "columns",
      columns: ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"].map((name) => ({
        name,
        type: ["age", "sex", "s1", "s6"].includes(name) ? "long" : "double",
        required: true,
      })),
    });
    expect(await readFile(`${model}/requirements.txt`, "utf8")).toContain("scikit-learn==1.2.1");
    expect(await readFile(`${model}/conda.yaml`, "utf8")).toContain("scikit-learn==1.2.1");
  });

  it("has Parquet scoring files holding exactly the rows test-set.csv gives them, integers as INT64", async () => {
    const testSet = await readTable(examplePath("sklearn-diabetes", "train", "test-set.csv"), {
      stringColumns: new Set(["file"]),
    });
    const files = testSet.columns.find((c) => c.name === "file")?.values as string[];
    for (const name of ["patients-03.parquet", "patients-04.parquet"]) {
      const parquet = await readTable(examplePath("sklearn-diabetes", "data", name));
      const rows = files.flatMap((file, row) => (file === name ? [row] : []));
      expect(parquet.rowCount).toBe(rows.length);
      for (const column of parquet.columns) {
        const source = testSet.columns.find((c) => c.name === column.name)?.values as Float64Array;
        expect(Array.from(column.values as Float64Array)).toEqual(rows.map((row) => source[row]));
      }
    }
  });

  it("reaches the R² and mean absolute error metrics.json records, with the model loaded as MLflow loads it", async () => {
    const metrics = await readJson(
      examplePath("sklearn-diabetes", "train", "metrics.json"),
      z.object({ testRows: z.number(), testR2: z.number(), testMAE: z.number() }),
    );
    const measured = z.object({ rows: z.number(), r2: z.number(), mae: z.number() }).parse(
      await runPythonJson(
        python,
        `
import cloudpickle, json, pandas as pd
from sklearn.metrics import mean_absolute_error, r2_score
with open("model/model.pkl", "rb") as f: model = cloudpickle.load(f)
test = pd.read_csv("train/test-set.csv")
predicted = model.predict(test[list(model.feature_names_in_)])
print(json.dumps({"rows": len(test), "r2": round(r2_score(test["target"], predicted), 4), "mae": round(mean_absolute_error(test["target"], predicted), 2)}))
`,
        { cwd: examplePath("sklearn-diabetes") },
      ),
    );
    expect(measured).toEqual({ rows: metrics.testRows, r2: metrics.testR2, mae: metrics.testMAE });
  });
});

describe("examples/digits-python", () => {
  it("classifies the digits example's 360 held-back images at the recorded accuracy, in mini-batches of 10", async () => {
    const metrics = await readJson(
      examplePath("digits-python", "train", "metrics.json"),
      z.object({ testImages: z.number(), testAccuracy: z.number() }),
    );
    const result = z.object({ rows: z.number(), correct: z.number(), columns: z.array(z.string()) }).parse(
      await runPythonJson(
        python,
        `
import csv, glob, json, os, sys
sys.path.insert(0, "code")
import digit_identification as script
script.init()
labels = {r["file"]: int(r["label"]) for r in csv.DictReader(open("../digits/labels.csv"))}
files = sorted(glob.glob("../digits/data/*.png"))
rows = correct = 0
for start in range(0, len(files), 10):
    frame = script.run(files[start:start + 10])
    columns = list(frame.columns)
    for file, prediction in zip(frame["file"], frame["prediction"]):
        rows += 1
        correct += int(labels[file] == prediction)
print(json.dumps({"rows": rows, "correct": correct, "columns": columns}))
`,
        {
          cwd: examplePath("digits-python"),
          env: { AZUREML_MODEL_DIR: examplePath("digits-python", "model") },
        },
      ),
    );
    expect(result.columns).toEqual(["file", "prediction"]);
    expect(result.rows).toBe(metrics.testImages);
    expect(Number((result.correct / result.rows).toFixed(4))).toBe(metrics.testAccuracy);
  });
});
