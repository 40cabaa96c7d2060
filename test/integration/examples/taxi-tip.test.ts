import { readdir } from "node:fs/promises";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { examplePath, type NumericCsv, readJson, readNumericCsv, readYaml } from "./example-files.js";
import { predictInTypeScript, type Weights, weightsSchema } from "./taxi-model.js";

const scoresSchema = z.object({ mae: z.number(), rmse: z.number(), r2: z.number() });
const metricsSchema = z.object({ train: scoresSchema, test: scoresSchema });

const mlmodelSchema = z.object({
  flavors: z.object({
    onnx: z.object({
      onnx_version: z.string(),
      data: z.literal("model.onnx"),
      providers: z.array(z.string()),
      code: z.null(),
    }),
    python_function: z.object({ loader_module: z.literal("mlflow.onnx"), data: z.literal("model.onnx") }),
  }),
  signature: z.object({ inputs: z.string(), outputs: z.string() }),
});
const colSpecs = z.array(z.object({ type: z.string(), name: z.string().optional() }));

async function predictWithOnnx(
  session: InferenceSession,
  model: Weights,
  csv: NumericCsv,
): Promise<number[]> {
  const dims = [csv.rows.length, 1];
  const feeds: Record<string, Tensor> = {};
  for (const input of model.inputs) {
    const values = csv.column(input.name);
    feeds[input.name] =
      input.type === "double"
        ? new Tensor("float64", Float64Array.from(values), dims)
        : new Tensor(
            "int64",
            BigInt64Array.from(values, (value) => BigInt(value)),
            dims,
          );
  }
  const output = (await session.run(feeds)).variable;
  if (!(output?.data instanceof Float64Array))
    throw new Error("model.onnx: output 'variable' is not float64");
  expect(output.dims).toEqual(dims);
  return Array.from(output.data);
}

function meanAbsoluteError(actual: number[], predicted: number[]): number {
  return (
    actual.reduce((sum, value, index) => sum + Math.abs(value - (predicted[index] ?? Number.NaN)), 0) /
    actual.length
  );
}

function rootMeanSquaredError(actual: number[], predicted: number[]): number {
  const squares = actual.reduce(
    (sum, value, index) => sum + (value - (predicted[index] ?? Number.NaN)) ** 2,
    0,
  );
  return Math.sqrt(squares / actual.length);
}

describe("taxi-tip example model", () => {
  let session: InferenceSession;
  let model: Weights;

  beforeAll(async () => {
    session = await InferenceSession.create(examplePath("taxi-tip", "model", "model.onnx"));
    model = await readJson(examplePath("taxi-tip", "model", "weights.json"), weightsSchema);
  });

  afterAll(async () => {
    await session.release();
  });

  it("predicts on every scoring CSV exactly what weights.json computes in plain TypeScript", async () => {
    const files = (await readdir(examplePath("taxi-tip", "data"))).filter((name) => name.endsWith(".csv"));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const csv = await readNumericCsv(examplePath("taxi-tip", "data", file));
      // the model's inputs, after the trip's id (a key to pass through, not an input)
      expect(csv.header, file).toEqual(["tripId", ...model.inputs.map((input) => input.name)]);
      expect(csv.rows.length, file).toBeGreaterThanOrEqual(100);
      const fromOnnx = await predictWithOnnx(session, model, csv);
      const fromWeights = predictInTypeScript(model, csv);
      const largestGap = Math.max(
        ...fromOnnx.map((value, index) => Math.abs(value - (fromWeights[index] ?? 0))),
      );
      expect(largestGap, file).toBeLessThan(1e-9);
      expect(
        fromOnnx.some((value) => value > 1),
        file,
      ).toBe(true);
    }
  });

  it("reaches on its training data the errors metrics.json records, far below the mean's", async () => {
    const csv = await readNumericCsv(examplePath("taxi-tip", "train", "taxi-tip-train.csv"));
    const metrics = await readJson(examplePath("taxi-tip", "model", "metrics.json"), metricsSchema);
    const tips = csv.column("tipAmount");
    const predicted = await predictWithOnnx(session, model, csv);
    const mae = meanAbsoluteError(tips, predicted);
    const rmse = rootMeanSquaredError(tips, predicted);
    const { train, test } = metrics;
    const tolerance = 1e-3;
    expect(mae).toBeGreaterThanOrEqual(Math.min(train.mae, test.mae) - tolerance);
    expect(mae).toBeLessThanOrEqual(Math.max(train.mae, test.mae) + tolerance);
    expect(rmse).toBeGreaterThanOrEqual(Math.min(train.rmse, test.rmse) - tolerance);
    expect(rmse).toBeLessThanOrEqual(Math.max(train.rmse, test.rmse) + tolerance);
    const mean = tips.reduce((sum, tip) => sum + tip, 0) / tips.length;
    expect(mae).toBeLessThan(
      0.6 *
        meanAbsoluteError(
          tips,
          tips.map(() => mean),
        ),
    );
  });

  it("is described by an MLmodel whose signature matches the ONNX inputs and the scoring columns", async () => {
    const mlmodel = await readYaml(examplePath("taxi-tip", "model", "MLmodel"), mlmodelSchema);
    expect(mlmodel.flavors.onnx.providers).toContain("CPUExecutionProvider");
    const inputs = colSpecs.parse(JSON.parse(mlmodel.signature.inputs));
    const outputs = colSpecs.parse(JSON.parse(mlmodel.signature.outputs));
    expect(outputs).toEqual([{ type: "double" }]);
    expect(inputs).toEqual(model.inputs.map(({ name, type }) => ({ type, name })));
    const onnxTypes = Object.fromEntries(
      session.inputMetadata.map((input) => [input.name, input.isTensor ? input.type : "not a tensor"]),
    );
    const expectedTypes = Object.fromEntries(
      inputs.map(({ name, type }) => [name, type === "double" ? "float64" : "int64"]),
    );
    expect(onnxTypes).toEqual(expectedTypes);
    expect(session.outputNames).toEqual(["variable"]);
    const firstScoringFile = await readNumericCsv(examplePath("taxi-tip", "data", "taxi-tip-01.csv"));
    expect(firstScoringFile.header).toEqual(["tripId", ...inputs.map(({ name }) => name)]);
  });
});
