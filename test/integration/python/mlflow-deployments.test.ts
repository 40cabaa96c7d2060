import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { testPython } from "../../support/python.js";
import { refusal } from "../../support/refusal.js";

/**
 * Creating a no-code deployment of an MLflow model with Python flavors: the example folder (only
 * MLmodel, model.pkl, conda.yaml, requirements.txt) is accepted; a scikit-learn other than the
 * model's sklearn_version is a warning; every refusal has its code and stores nothing.
 */
const example = resolve("examples/sklearn-diabetes/model");
let world: EngineWorld;
let python: string;

beforeAll(async () => {
  python = testPython();
  world = await engineWorld();
  await world.engine.registry.endpoints.create({ name: "nocode" });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

/** A copy of the example's model folder, changed by `edit`. */
async function modelCopy(edit: (dir: string) => Promise<void> = async () => undefined): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "batchfn-mlflow-model-")), "model");
  await cp(example, dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function replaceIn(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
  await writeFile(file, text.replace(from, to));
}

async function deploy(name: string, modelPath: string, interpreter = python) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-mlflow-deploy-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "nocode",
      model: { name: `${name}-model`, version: 1, type: "mlflow_model", path: modelPath },
    }),
  );
  return registerDeploymentFile(file, {
    registry: world.engine.registry,
    workDir: world.engine.workDir,
    pythonInterpreter: interpreter,
  });
}

async function stored(): Promise<string[]> {
  return (await world.engine.registry.deployments.list("nocode")).map((record) => record.resource.name);
}

async function models(): Promise<string[]> {
  return (await world.engine.registry.models.list()).map((model) => model.resource.name);
}

describe("creating a no-code deployment of an MLflow model with Python flavors", () => {
  it("accepts the example's folder of MLmodel, model.pkl, conda.yaml and requirements.txt, without warnings", async () => {
    const created = await deploy("diabetes", await modelCopy());
    expect(created.warnings).toEqual([]);
    expect(await stored()).toContain("diabetes");
  });

  it("warns, and still creates it, when the interpreter's scikit-learn is not the model's sklearn_version", async () => {
    const model = await modelCopy((dir) =>
      replaceIn(join(dir, "MLmodel"), "sklearn_version: 1.2.1", "sklearn_version: 1.3.2"),
    );
    const created = await deploy("other-sklearn", model);
    expect(created.warnings).toEqual([
      expect.stringMatching(
        /was saved with scikit-learn 1\.3\.2 \(sklearn_version\); .* has scikit-learn 1\.2\.1, which is used/,
      ),
    ]);
    expect(await stored()).toContain("other-sklearn");
  });

  it("refuses it on an app without Python (PythonUnavailable), storing nothing", async () => {
    const error = await refusal(deploy("no-python", await modelCopy(), "/nonexistent/python3"));
    expect(error.code).toBe("PythonUnavailable");
    expect(error.status).toBe(400);
    expect(error.message).toContain("'/nonexistent/python3' (app setting BATCHFN_PYTHON)");
    expect(await stored()).not.toContain("no-python");
    expect(await models()).not.toContain("no-python-model");
  });

  it("refuses a package of the model's requirements.txt that does not import, naming it (PythonDependencyMissing)", async () => {
    const model = await modelCopy(async (dir) => {
      await writeFile(join(dir, "requirements.txt"), "mlflow==2.9.2\nscikit-learn==1.2.1\nxgboost==1.7.6\n");
    });
    const error = await refusal(deploy("needs-xgboost", model));
    expect(error.code).toBe("PythonDependencyMissing");
    expect(error.message).toContain("xgboost (package xgboost, from model requirements.txt)");
    expect(error.message).toContain(python);
    expect(await stored()).not.toContain("needs-xgboost");
    expect(await models()).not.toContain("needs-xgboost-model");
  });

  it("refuses a pyfunc flavor other than mlflow.sklearn when mlflow does not import, naming mlflow", async () => {
    const model = await modelCopy((dir) =>
      replaceIn(join(dir, "MLmodel"), "loader_module: mlflow.sklearn", "loader_module: mlflow.xgboost"),
    );
    const error = await refusal(deploy("pyfunc-xgb", model));
    expect(error.code).toBe("PythonDependencyMissing");
    expect(error.message).toContain(
      "mlflow (package mlflow, from python_function.loader_module mlflow.xgboost)",
    );
    expect(await stored()).not.toContain("pyfunc-xgb");
  });

  it("refuses a model.pkl that does not load with InvalidModel and the Python error, storing nothing", async () => {
    const model = await modelCopy((dir) => writeFile(join(dir, "model.pkl"), "not a pickle"));
    const error = await refusal(deploy("broken-pickle", model));
    expect(error.code).toBe("InvalidModel");
    expect(error.status).toBe(400);
    expect(error.message).toContain("MLflow model");
    expect(error.message).toContain(`cannot be loaded by ${python}`);
    expect(error.message).toMatch(/UnpicklingError|pickle/);
    expect(await stored()).not.toContain("broken-pickle");
    expect(await models()).not.toContain("broken-pickle-model");
  });
});
