import { createHash } from "node:crypto";
import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Deployment, Model } from "../spec/resources.js";
import { checkMlflowModel } from "./mlflow/check-mlflow-model.js";
import { checkMlflowParquetOutputs } from "./mlflow/parquet-outputs.js";
import { mlflowRuntimeSpec, pythonMlflowModel } from "./mlflow/python-model.js";
import { checkOnnxModel } from "./onnx/check-onnx-model.js";
import { type LocatedModel, locateModel } from "./onnx/inspect-model.js";
import { checkPythonDeployment } from "./python/check-python-deployment.js";
import { isPythonScript } from "./python/python-script.js";
import type { RuntimeSpec } from "./runtime.js";
import { bundleScoringScript } from "./script/bundle-scoring-script.js";
import { scriptRuntimeSpec, writeScoringBundle } from "./script/script-runtime-spec.js";

/** Fetches an artifact (`azureml://datastores/workspaceartifactstore/paths/sha256/<hash>/`) into a folder. */
export type ArtifactDownloader = (uri: string, localDir: string) => Promise<unknown>;

/**
 * The local copies of a deployment's model and scoring code on this instance, under `workDir`.
 * Artifacts are content-addressed, so a copy is made once per instance and shared by every job and
 * worker; concurrent requests for the same one share a single download. The scoring script is
 * bundled here, on the instance that runs it, because a bundle refers to the app's own native
 * packages by absolute path.
 */
export interface DeploymentAssets {
  runtimeSpec(options: { deployment: Deployment; model: Model; outputDir: string }): Promise<RuntimeSpec>;
}

export function createDeploymentAssets(options: {
  workDir: string;
  download: ArtifactDownloader;
  /** The interpreter of Python scoring scripts (`BATCHFN_PYTHON`). */
  pythonInterpreter: string;
}): DeploymentAssets {
  const dirs = new Map<string, Promise<string>>();
  const once = (key: string, make: (dir: string) => Promise<void>): Promise<string> =>
    sharedPromise(dirs, key, () => materialize(join(options.workDir, key), make));
  const artifactDir = (uri: string) =>
    once(`artifacts/${digest(uri)}`, async (dir) => {
      await options.download(uri, dir);
    });
  // a model folder is content-addressed and never changes once made: its MLmodel is read and
  // checked once per instance, not once per mini-batch
  const models = new Map<string, Promise<LocatedModel>>();
  const locatedOnce = (modelDir: string) => sharedPromise(models, modelDir, () => locateModel(modelDir));

  return {
    async runtimeSpec({ deployment, model, outputDir }) {
      const modelDir = await artifactDir(model.path);
      const env = deployment.environment_variables;
      const code = deployment.code_configuration;
      if (!code) {
        const python = pythonMlflowModel(await locatedOnce(modelDir));
        if (!python) return { kind: "onnx", modelDir, outputDir, env };
        return mlflowRuntimeSpec({
          model: python,
          interpreter: options.pythonInterpreter,
          modelDir,
          outputDir,
          env,
        });
      }
      const codeDir = await artifactDir(code.code);
      if (isPythonScript(code.scoring_script)) {
        return {
          kind: "python",
          interpreter: options.pythonInterpreter,
          scriptPath: join(codeDir, code.scoring_script),
          scriptName: code.scoring_script,
          codeDir,
          modelDir,
          outputDir,
          env,
        };
      }
      const bundleDir = await once(
        `bundles/${digest(`${code.code}\n${code.scoring_script}`)}`,
        async (dir) => {
          const bundle = await bundleScoringScript({
            codeDir,
            scoringScript: code.scoring_script,
            validate: false,
          });
          await writeScoringBundle({ code: bundle.code, dir });
        },
      );
      return scriptRuntimeSpec({
        bundlePath: join(bundleDir, "scoring-script.mjs"),
        scriptName: code.scoring_script,
        modelDir,
        outputDir,
        env,
      });
    },
  };
}

/**
 * Checks, when a deployment is created, that it can run: its scoring script bundles and keeps the
 * contract (a Python script: the app has Python, the environment's packages import, the script
 * imports), or, without one, its model is ONNX or an MLflow model batchfn runs: an `onnx` flavor, or
 * Python flavors (the app has Python, the model folder's packages import, the model loads). Returns
 * the warnings to show. Throws `InvalidScoringScript`, `UnsupportedModelFlavor`, `InvalidModel`,
 * `PythonUnavailable` or `PythonDependencyMissing`.
 */
export async function checkDeploymentRuns(options: {
  deployment: Deployment;
  model: Model;
  workDir: string;
  download: ArtifactDownloader;
  /** The interpreter of Python scoring scripts (`BATCHFN_PYTHON`); default `python3`. */
  pythonInterpreter?: string;
}): Promise<string[]> {
  const scratch = join(options.workDir, `check-${process.pid}-${Date.now().toString(36)}`);
  try {
    const code = options.deployment.code_configuration;
    if (!code) {
      const modelDir = join(scratch, "model");
      const name = `${options.model.name}:${options.model.version}`;
      await options.download(options.model.path, modelDir);
      const located = await locateModel(modelDir, name);
      const parquet = writesParquet(options.deployment);
      const python = pythonMlflowModel(located);
      if (python && located.kind === "mlflow") {
        const { deployment } = options;
        if (parquet) checkMlflowParquetOutputs(located.model, python.label);
        return await checkMlflowModel({
          model: python,
          interpreter: options.pythonInterpreter ?? "python3",
          subject: `Batch deployment '${deployment.endpoint_name}/${deployment.name}' (${python.label}, no scoring script)`,
          scratch,
          env: deployment.environment_variables,
        });
      }
      await checkOnnxModel(modelDir, name, { parquet });
      return [];
    }
    const codeDir = join(scratch, "code");
    if (isPythonScript(code.scoring_script)) {
      return await checkPythonDeployment({
        deployment: options.deployment,
        interpreter: options.pythonInterpreter ?? "python3",
        scratch,
        downloadCode: () => options.download(code.code, codeDir).then(() => codeDir),
      });
    }
    await options.download(code.code, codeDir);
    const bundle = await bundleScoringScript({ codeDir, scoringScript: code.scoring_script });
    return bundle.warnings;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** True when the deployment's rows are written as Parquet. */
function writesParquet(deployment: Deployment): boolean {
  return (
    deployment.settings.output_action === "append_row" && deployment.settings.output_format === "parquet"
  );
}

/**
 * Checks, when an invocation asks a no-code deployment for Parquet output that the deployment
 * itself does not write (so nothing checked it when it was created), that the model's outputs have
 * Parquet types: downloads the model and runs the same checks as `checkDeploymentRuns`. Throws
 * `UnsupportedOutputType` naming the output.
 */
export async function checkParquetOutputs(options: {
  deployment: Deployment;
  model: Model;
  workDir: string;
  download: ArtifactDownloader;
}): Promise<void> {
  if (options.deployment.code_configuration || !writesParquet(options.deployment)) return;
  const scratch = join(options.workDir, `check-${process.pid}-${Date.now().toString(36)}`);
  try {
    const modelDir = join(scratch, "model");
    const name = `${options.model.name}:${options.model.version}`;
    await options.download(options.model.path, modelDir);
    const located = await locateModel(modelDir, name);
    const python = pythonMlflowModel(located);
    if (python && located.kind === "mlflow") checkMlflowParquetOutputs(located.model, python.label);
    else await checkOnnxModel(modelDir, name, { parquet: true });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The promise `cache` holds for `key`, made by `make` the first time; forgotten when it fails, so a
 * later call tries again.
 */
function sharedPromise<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let made = cache.get(key);
  if (!made) {
    made = make();
    made.catch(() => cache.delete(key));
    cache.set(key, made);
  }
  return made;
}

/** Makes `dir` once: built in a sibling folder, then renamed, so a half-made copy is never used. */
async function materialize(dir: string, make: (dir: string) => Promise<void>): Promise<string> {
  const done = join(dir, ".batchfn-complete");
  if (await exists(done)) return dir;
  const building = `${dir}.building-${process.pid}-${Date.now().toString(36)}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  try {
    await make(building);
    await writeFile(join(building, ".batchfn-complete"), "");
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, ".."), { recursive: true });
    await rename(building, dir);
  } catch (thrown) {
    await rm(building, { recursive: true, force: true });
    throw thrown;
  }
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}
