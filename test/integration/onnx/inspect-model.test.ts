import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectModel } from "../../../src/scoring/onnx/inspect-model.js";

const fixtures = resolve("test/fixtures/models");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-inspect-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("inspectModel", () => {
  it("accepts a bare .onnx file and a folder holding exactly one", async () => {
    const file = join(fixtures, "per-column", "model.onnx");
    expect(await inspectModel(file)).toEqual({ modelPath: file, source: "onnx", flavors: [] });
    expect((await inspectModel(join(fixtures, "per-column"))).modelPath).toBe(file);
  });

  it("looks into a folder that holds just one sub-folder", async () => {
    const outer = join(dir, "nested");
    await mkdir(join(outer, "inner"), { recursive: true });
    await cp(join(fixtures, "per-column", "model.onnx"), join(outer, "inner", "scorer.onnx"));
    expect((await inspectModel(outer)).modelPath).toBe(join(outer, "inner", "scorer.onnx"));
  });

  it("reads an MLflow onnx flavor: the file from flavors.onnx.data and a column signature", async () => {
    const info = await inspectModel(join(fixtures, "mlflow-typed"));
    expect(info.source).toBe("mlflow");
    expect(info.modelPath).toBe(join(fixtures, "mlflow-typed", "typed.onnx"));
    expect(info.flavors).toEqual(["onnx", "python_function"]);
    expect(info.signature).toEqual({
      kind: "columns",
      columns: [
        { name: "x", type: "double", required: true },
        { name: "n", type: "long", required: true },
        { name: "flag", type: "boolean", required: true },
        { name: "label", type: "string", required: true },
        { name: "k", type: "integer", required: true },
      ],
    });
  });

  it("reads a tensor signature", async () => {
    const info = await inspectModel(join(fixtures, "mlflow-tensor"));
    expect(info.signature).toEqual({
      kind: "tensors",
      tensors: [{ name: undefined, dtype: "float32", shape: [-1, 4] }],
    });
  });

  it("refuses an MLflow model without an onnx flavor, naming its flavors and how to convert", async () => {
    const failure = inspectModel(join(fixtures, "mlflow-sklearn"), "models/credit:3");
    await expect(failure).rejects.toMatchObject({ code: "UnsupportedModelFlavor" });
    const message = await failure.catch((e: Error) => e.message);
    expect(message).toContain("'models/credit:3'");
    expect(message).toContain("python_function, sklearn");
    expect(message).toContain("'onnx'");
    for (const tool of ["skl2onnx", "tf2onnx", "torch.onnx.export", "scoring script"])
      expect(message).toContain(tool);
  });

  it("refuses folders without a usable model with InvalidModel", async () => {
    const several = join(dir, "several");
    await mkdir(several);
    await writeFile(join(several, "a.onnx"), "");
    await writeFile(join(several, "b.onnx"), "");
    await expect(inspectModel(several)).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining("several ONNX files (a.onnx, b.onnx)"),
    });

    const pickle = join(dir, "pickle");
    await mkdir(pickle);
    await writeFile(join(pickle, "model.pkl"), "");
    await expect(inspectModel(pickle)).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining("found: model.pkl"),
    });

    await expect(inspectModel(join(dir, "absent"))).rejects.toMatchObject({ code: "InvalidModel" });
    await writeFile(join(dir, "model.txt"), "");
    await expect(inspectModel(join(dir, "model.txt"))).rejects.toMatchObject({ code: "InvalidModel" });
  });

  it("refuses an MLmodel naming a missing file, escaping the folder, or with a broken signature", async () => {
    const write = async (name: string, text: string) => {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, "MLmodel"), text);
      return join(dir, name);
    };
    const missing = await write("missing", "flavors:\n  onnx:\n    data: nothere.onnx\n");
    await expect(inspectModel(missing)).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining("'nothere.onnx'"),
    });
    const escaping = await write("escaping", "flavors:\n  onnx:\n    data: ../per-column/model.onnx\n");
    await expect(inspectModel(escaping)).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining("outside the model folder"),
    });
    const broken = await write(
      "broken",
      "flavors:\n  onnx:\n    data: m.onnx\nsignature:\n  inputs: '[{\"nope\": 1}]'\n",
    );
    await writeFile(join(broken, "m.onnx"), "");
    await expect(inspectModel(broken)).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining("signature.inputs"),
    });
    const notYaml = await write("not-yaml", "flavors: [unclosed\n");
    await expect(inspectModel(notYaml)).rejects.toMatchObject({ code: "InvalidModel" });
  });
});
