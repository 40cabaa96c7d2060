import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shortestFloat32 } from "../../../src/scoring/onnx/float32-text.js";
import { createOnnxRuntime } from "../../../src/scoring/onnx/onnx-runtime.js";
import type { MiniBatchFile, ScoringContext } from "../../../src/scoring/runtime.js";
import { model, node, valueInfo } from "../../fixtures/models/onnx-writer.js";

const fixtures = resolve("test/fixtures/models");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-onnx-edge-"));
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

async function csv(name: string, text: string): Promise<MiniBatchFile> {
  const path = join(dir, name);
  await writeFile(path, text);
  return { path, name, rowOffset: 0 };
}

describe("ONNX runtime edge cases", () => {
  it("feeds a missing value as NaN to a float input, but refuses it for an integer input", async () => {
    const floats = await createOnnxRuntime(
      { kind: "onnx", modelDir: join(fixtures, "per-column"), outputDir: dir, env: {} },
      context,
    );
    const scored = await floats.run({ index: 0, attempt: 1, files: [await csv("gap.csv", "a,b,c\n1,,1\n")] });
    await floats.shutdown();
    expect(scored.failedItems).toEqual([]);
    expect((scored.rows[0] as Record<string, unknown>).prediction).toBeNaN();

    const typed = await createOnnxRuntime(
      { kind: "onnx", modelDir: join(fixtures, "mlflow-typed"), outputDir: dir, env: {} },
      context,
    );
    const refused = await typed.run({
      index: 0,
      attempt: 1,
      files: [await csv("gap-int.csv", "x,n,flag,label,k\n1,2,true,a,1\n1,,true,a,1\n")],
    });
    await typed.shutdown();
    expect(refused.failedItems[0]).toMatchObject({ item: "gap-int.csv", code: "InvalidColumnValue" });
    expect(refused.failedItems[0]?.message).toContain("row 2, column 'n': the value is missing");
  });

  it("runs a model with a fixed batch size in batches of that size, and refuses a file it cannot fill", async () => {
    const folder = join(dir, "fixed-batch");
    await mkdir(folder);
    await writeFile(
      join(folder, "model.onnx"),
      model({
        name: "fixed",
        inputs: [valueInfo("x", "float", [2, 1])],
        outputs: [valueInfo("y", "float", [2, 1])],
        initializers: [],
        nodes: [node("Neg", ["x"], ["y"])],
      }),
    );
    const runtime = await createOnnxRuntime(
      { kind: "onnx", modelDir: folder, outputDir: dir, env: {} },
      context,
    );
    const result = await runtime.run({
      index: 0,
      attempt: 1,
      files: [await csv("four.csv", "x\n1\n2\n3\n4\n"), await csv("three.csv", "x\n1\n2\n3\n")],
    });
    await runtime.shutdown();
    expect((result.rows as Record<string, unknown>[]).map((r) => r.prediction)).toEqual([-1, -2, -3, -4]);
    expect(result.failedItems).toEqual([
      expect.objectContaining({ item: "three.csv", code: "InputSchemaMismatch" }),
    ]);
  });

  it("refuses a file that is not ONNX with InvalidModel", async () => {
    const folder = join(dir, "garbage");
    await mkdir(folder);
    await writeFile(join(folder, "model.onnx"), "not a model");
    await expect(
      createOnnxRuntime({ kind: "onnx", modelDir: folder, outputDir: dir, env: {} }, context),
    ).rejects.toMatchObject({ code: "InvalidModel", message: expect.stringContaining("cannot be loaded") });
  });
});

describe("shortestFloat32", () => {
  it("gives the shortest decimal that is still the same float32", () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(1 / 3))).toBe(0.33333334);
    expect(shortestFloat32(Math.fround(-123456.789))).toBe(-123456.79);
    expect(shortestFloat32(0)).toBe(0);
    expect(shortestFloat32(Number.NaN)).toBeNaN();
    for (let i = 1; i < 5000; i++) {
      const value = Math.fround(Math.sin(i) * 10 ** ((i % 24) - 12));
      const shortest = shortestFloat32(value);
      expect(Math.fround(shortest)).toBe(value);
      const digits = String(shortest)
        .replace(/e.*$/, "")
        .replace(/[-.]/g, "")
        .replace(/^0+|0+$/g, "");
      expect(digits.length, String(shortest)).toBeLessThanOrEqual(9);
    }
  });
});
