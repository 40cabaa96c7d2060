import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFeeds } from "../../../src/scoring/onnx/feed-plan.js";
import { createOnnxRuntime } from "../../../src/scoring/onnx/onnx-runtime.js";
import { outputColumns } from "../../../src/scoring/onnx/predictions.js";
import type { ScoringContext } from "../../../src/scoring/runtime.js";
import { tensorModel } from "../../fixtures/models/weights.js";

const fixtures = resolve("test/fixtures/models");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-colsig-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const context: ScoringContext = {
  modelDir: "",
  outputDir: "",
  env: {},
  inputs: {},
  outputs: {},
  logger: silent,
};

/** The tensor fixture model behind an MLmodel whose column signature lists `columns`. */
async function modelWithColumns(name: string, columns: string[]): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder);
  await cp(join(fixtures, "mlflow-tensor", "model.onnx"), join(folder, "model.onnx"));
  const inputs = JSON.stringify(columns.map((column) => ({ type: "double", name: column })));
  await writeFile(
    join(folder, "MLmodel"),
    `flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: '${inputs}'\n`,
  );
  return folder;
}

describe("a column signature in front of a single [N,K] input", () => {
  it("builds the matrix from the signature's columns, in signature order, ignoring file order", async () => {
    const folder = await modelWithColumns("reversed", ["f4", "f3", "f2", "f1"]);
    const runtime = await createOnnxRuntime(
      { kind: "onnx", modelDir: folder, outputDir: dir, env: {} },
      context,
    );
    const path = join(dir, "in.csv");
    await writeFile(path, "f1,f2,noise,f3,f4\n1,2,x,3,4\n");
    const result = await runtime.run({
      index: 0,
      attempt: 1,
      files: [{ path, name: "in.csv", rowOffset: 0 }],
    });
    await runtime.shutdown();
    const fed = [4, 3, 2, 1];
    const logit = (j: number) =>
      fed.reduce((sum, x, k) => sum + x * (tensorModel.weights[k]?.[j] ?? 0), 0) + (tensorModel.bias[j] ?? 0);
    const [row] = result.rows as Record<string, number>[];
    expect(row?.logits_0).toBeCloseTo(logit(0), 5);
    expect(row?.logits_1).toBeCloseTo(logit(1), 5);
  });

  it("refuses at load time a signature whose column count differs from the input width", async () => {
    const folder = await modelWithColumns("three", ["a", "b", "c"]);
    await expect(
      createOnnxRuntime({ kind: "onnx", modelDir: folder, outputDir: dir, env: {} }, context),
    ).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining("signature has 3 columns"),
    });
  });
});

describe("feed planning and output naming", () => {
  const input = (name: string, type: string, shape: (number | string)[]) => ({
    name,
    isTensor: true,
    type,
    shape,
  });

  it("keeps string inputs and string signature columns as text", () => {
    const plan = planFeeds(
      [input("zip", "string", ["N", 1]), input("amount", "float32", ["N", 1])],
      {
        kind: "columns",
        columns: [
          { name: "zip", type: "string", required: true },
          { name: "amount", type: "double", required: false },
        ],
      },
      "m",
    );
    expect([...plan.stringColumns]).toEqual(["zip"]);
    expect(plan.requiredColumns).toEqual(["zip"]);
    expect(plan.feeds.map((f) => f.kind)).toEqual(["column", "column"]);
  });

  it("uses a fixed batch dimension and refuses inputs it cannot fill", () => {
    expect(planFeeds([input("x", "float32", [1, 1])], undefined, "m").fixedBatch).toBe(1);
    expect(() => planFeeds([input("img", "float32", ["N", 3, 8, 8])], undefined, "m")).toThrow(
      expect.objectContaining({ code: "InvalidModel" }),
    );
    expect(() => planFeeds([input("x", "float16", ["N", 1])], undefined, "m")).toThrow(
      expect.objectContaining({ code: "InvalidModel", message: expect.stringContaining("float16") }),
    );
    expect(() => planFeeds([{ name: "seq", isTensor: false }], undefined, "m")).toThrow(
      expect.objectContaining({ code: "InvalidModel" }),
    );
  });

  it("names one output prediction, several after themselves, and renames reserved names", () => {
    expect(outputColumns(["variable"])).toEqual([{ output: "variable", base: "prediction" }]);
    expect(outputColumns(["label", "row"]).map((c) => c.base)).toEqual(["label", "prediction_row"]);
  });
});
