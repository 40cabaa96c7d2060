import { readdir, readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { examplePath, readJson, readNumericCsv } from "../examples/example-files.js";
import { predictInTypeScript, weightsSchema } from "../examples/taxi-model.js";

let world: EngineWorld;

beforeAll(async () => {
  world = await engineWorld();
  const options = { registry: world.engine.registry, workDir: world.engine.workDir };
  for (const example of ["taxi-tip", "digits"]) {
    await registerEndpointFile(examplePath(example, "endpoint.yml"), options);
    await registerDeploymentFile(examplePath(example, "deployment.yml"), options);
  }
  await world.uploadFolder("taxi/", examplePath("taxi-tip", "data"));
  await world.uploadFolder("digits/", examplePath("digits", "data"));
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe("the examples, end to end through the engine on Azurite", () => {
  it("scores every taxi row exactly once with the predictions the weights give in TypeScript", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: "azureml://datastores/workspaceblobstore/paths/taxi/" },
    });
    expect(result.status).toBe("Completed");
    const weights = await readJson(examplePath("taxi-tip", "model", "weights.json"), weightsSchema);
    const files = (await readdir(examplePath("taxi-tip", "data"))).sort();
    const expected: string[] = [];
    for (const file of files) {
      const csv = await readNumericCsv(examplePath("taxi-tip", "data", file));
      predictInTypeScript(weights, csv).forEach((tip, row) => {
        expected.push(`${row} ${tip} ${file}`);
      });
    }
    const lines = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trimEnd().split("\n");
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => {
      const [row, prediction, fileName] = line.split(" ");
      const [eRow, ePrediction, eFile] = (expected[i] ?? "").split(" ");
      expect([row, fileName]).toEqual([eRow, eFile]);
      expect(Number(prediction)).toBeCloseTo(Number(ePrediction), 9);
    });
    const summary = JSON.parse(await world.read(`batchfn-outputs/${spec.name}/job_summary.json`));
    expect(summary).toMatchObject({
      status: "Completed",
      items: { total: files.length, succeeded: files.length, failed: 0 },
    });
    expect(await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`)).toBe("");
    const record = await world.engine.records.get(spec.name);
    expect(record).toMatchObject({
      status: "Completed",
      endpoint_name: "taxi-tip",
      deployment_name: "taxi-tip-onnx",
      outputs: [
        `azureml://datastores/workspaceblobstore/paths/batchfn-outputs/${spec.name}/predictions.csv`,
        `azureml://datastores/workspaceblobstore/paths/batchfn-outputs/${spec.name}/errors.jsonl`,
      ],
      progress: { items: { succeeded: files.length, failed: 0 } },
    });
    expect(record?.started_at).toBeDefined();
    expect(record?.finished_at).toBeDefined();
  });

  it("classifies the held-back digit images with the custom script above the accuracy floor", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "digits",
      deployment: "digits-softmax",
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/digits/",
        output_path: "azureml://datastores/workspaceblobstore/paths/digit-scores/",
      },
    });
    expect(result.status).toBe("Completed");
    const labels = new Map(
      (await readFile(examplePath("digits", "labels.csv"), "utf8"))
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(",") as [string, string]),
    );
    const lines = (await world.read("digit-scores/predictions.csv")).trimEnd().split("\n");
    expect(lines).toHaveLength(labels.size);
    const predicted = new Map(lines.map((line) => line.split(": ") as [string, string]));
    expect([...predicted.keys()].sort()).toEqual([...labels.keys()].sort());
    const correct = [...labels].filter(([file, label]) => predicted.get(file) === label).length;
    const metrics = await readJson(
      examplePath("digits", "model", "metrics.json"),
      z.object({ testAccuracy: z.number() }),
    );
    expect(correct / labels.size).toBeGreaterThanOrEqual(metrics.testAccuracy - 0.01);
    expect(spec.settings.mini_batch_size).toBe(10);
    const summary = JSON.parse(await world.read("digit-scores/job_summary.json"));
    expect(summary).toMatchObject({
      status: "Completed",
      mini_batches: { total: Math.ceil(labels.size / 10) },
    });
  });
});
