import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { workerEnv } from "../../../src/scoring/runtime-env.js";
import { runPythonJson, testPython } from "../../support/python.js";
import { examplePath } from "../examples/example-files.js";
import { type CliWorld, expectExit, jsonOf, startCliWorld, tsvValue } from "./cli-fixture.js";

/**
 * The "done when" for no-code MLflow models: the sklearn-diabetes example, a folder holding
 * only MLmodel, model.pkl, conda.yaml and requirements.txt, scores through `batchfn
 * batch-deployment create` / `batch-endpoint invoke` / `job download`, unchanged, with the model's
 * own predictions.
 */
let world: CliWorld;
let python: string;

beforeAll(async () => {
  python = testPython();
  world = await startCliWorld();
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

/** The model's predictions for every held-back row, by scoring file, computed by Python as a scoring process would. */
async function modelPredictions(): Promise<Map<string, number[]>> {
  const env = workerEnv({ kind: "onnx", modelDir: "", outputDir: "", env: {} });
  const byFile = z.record(z.string(), z.array(z.number())).parse(
    await runPythonJson(
      python,
      `
import cloudpickle, json, pandas as pd
model = cloudpickle.load(open("model/model.pkl", "rb"))
test = pd.read_csv("train/test-set.csv")
print(json.dumps({n: model.predict(rows[list(model.feature_names_in_)]).tolist() for n, rows in test.groupby("file")}))
`,
      { cwd: examplePath("sklearn-diabetes"), onlyEnv: env },
    ),
  );
  return new Map(Object.entries(byFile));
}

describe("a no-code MLflow scikit-learn model through the CLI", { timeout: 240_000 }, () => {
  it("creates, invokes on CSV and Parquet files, and downloads the model's own predictions", async () => {
    expectExit(
      await world.cli([
        "batch-endpoint",
        "create",
        "--file",
        examplePath("sklearn-diabetes", "endpoint.yml"),
      ]),
      0,
    );
    const created = await world.cli([
      "batch-deployment",
      "create",
      "--file",
      examplePath("sklearn-diabetes", "deployment.yml"),
      "--set-default",
    ]);
    expectExit(created, 0);
    expect(jsonOf(created)).toMatchObject({
      name: "sklearn-diabetes-ridge",
      model: { name: "sklearn-diabetes-model", version: "1" },
    });
    const job = tsvValue(
      await world.cli([
        "batch-endpoint",
        "invoke",
        "--name",
        "sklearn-diabetes",
        "--input",
        examplePath("sklearn-diabetes", "data"),
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    expectExit(await world.cli(["job", "stream", "--name", job]), 0);
    expect(tsvValue(await world.cli(["job", "show", "--name", job, "--query", "status", "-o", "tsv"]))).toBe(
      "Completed",
    );
    const dir = await mkdtemp(join(tmpdir(), "batchfn-nocode-py-"));
    expectExit(
      await world.cli(["job", "download", "--name", job, "--output-name", "score", "--download-path", dir]),
      0,
    );
    const lines = (await readFile(join(dir, "named-outputs", "score", "predictions.csv"), "utf8"))
      .trimEnd()
      .split("\n");
    const expected = await modelPredictions();
    expect(lines).toHaveLength([...expected.values()].reduce((sum, rows) => sum + rows.length, 0));
    const found = new Map<string, number[]>();
    for (const line of lines) {
      const [row, prediction, file] = line.split(" ");
      const name = (file ?? "").split("/").pop() ?? "";
      const rows = found.get(name) ?? [];
      rows[Number(row)] = Number(prediction);
      found.set(name, rows);
    }
    expect(new Map([...found.entries()].sort())).toEqual(new Map([...expected.entries()].sort()));
  });
});
