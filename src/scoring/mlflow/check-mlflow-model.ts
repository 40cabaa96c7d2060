import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { errors } from "../../errors.js";
import { checkPythonRequirements } from "../python/python-checks.js";
import { describeEnd } from "../python/python-failures.js";
import { PythonProcess } from "../python/python-process.js";
import { condaRequirements, type PythonRequirement, pipRequirements } from "../python/python-requirements.js";
import { workerEnv } from "../runtime-env.js";
import { mlflowRuntimeSpec, type PythonMlflowModel, SKLEARN_LOADER } from "./python-model.js";

/**
 * The checks of a no-code deployment of a Python-flavored MLflow model when it is created, cheapest
 * first: the app has Python (`PythonUnavailable`); the packages of the model folder's `conda.yaml`
 * and `requirements.txt`, and those the driver itself needs, import in it
 * (`PythonDependencyMissing`; a pyfunc flavor other than mlflow.sklearn needs `mlflow`); then the
 * model loads as the runtime loads it (`InvalidModel` with the Python error). Returns the warnings
 * to show: a scikit-learn other than the model's `sklearn_version`, other pinned versions that differ.
 */
export async function checkMlflowModel(options: {
  model: PythonMlflowModel;
  interpreter: string;
  /** What the model belongs to, in messages (`Batch deployment 'e/d' (MLflow model 'm:1')`). */
  subject: string;
  /** A folder for the load check's output folder. */
  scratch: string;
  env: Record<string, string>;
}): Promise<string[]> {
  const { model, interpreter } = options;
  const requirements = await modelRequirements(model);
  const checked = await checkPythonRequirements({ interpreter, requirements, subject: options.subject });
  const warnings = [...checked.warnings];
  const installed = checked.python.modules.sklearn?.version;
  if (model.sklearnVersion !== undefined && installed !== undefined && installed !== model.sklearnVersion) {
    warnings.push(
      `${model.label} was saved with scikit-learn ${model.sklearnVersion} (sklearn_version); ${interpreter} has scikit-learn ${installed}, which is used: check its predictions, as scikit-learn does not promise that a model pickled by one version loads and predicts the same in another`,
    );
  }
  await checkModelLoads(options);
  return warnings;
}

/** The model folder's packages, deduplicated by module, and the driver's own; sklearn's pin is left to the sklearn_version warning. */
async function modelRequirements(model: PythonMlflowModel): Promise<PythonRequirement[]> {
  const found: PythonRequirement[] = [];
  const conda = await readFile(join(model.folder, "conda.yaml"), "utf8").catch(() => undefined);
  if (conda !== undefined) {
    let document: unknown;
    try {
      document = parseYaml(conda);
    } catch (thrown) {
      throw errors.invalidModel(`${model.label}: conda.yaml is not valid YAML: ${String(thrown)}`);
    }
    found.push(...condaRequirements(document, "model conda.yaml"));
  }
  const pip = await readFile(join(model.folder, "requirements.txt"), "utf8").catch(() => undefined);
  if (pip !== undefined) found.push(...pipRequirements(pip, "model requirements.txt"));
  const driver = "batchfn's MLflow driver";
  found.push(
    { name: "numpy", module: "numpy", source: driver },
    { name: "pandas", module: "pandas", source: driver },
  );
  if (model.loaderModule !== SKLEARN_LOADER) {
    found.push({
      name: "mlflow",
      module: "mlflow",
      source: `python_function.loader_module ${model.loaderModule}`,
    });
  }
  const byModule = new Map<string, PythonRequirement>();
  for (const requirement of found) {
    if (byModule.has(requirement.module)) continue;
    const { pinned, ...unpinned } = requirement;
    byModule.set(
      requirement.module,
      requirement.module === "sklearn" && model.sklearnVersion ? unpinned : requirement,
    );
  }
  return [...byModule.values()];
}

/** Starts the driver as the runtime does, which loads the model in init(), and stops it. */
async function checkModelLoads(options: {
  model: PythonMlflowModel;
  interpreter: string;
  scratch: string;
  env: Record<string, string>;
}): Promise<void> {
  const { model, interpreter } = options;
  const spec = mlflowRuntimeSpec({
    model,
    interpreter,
    modelDir: model.folder,
    outputDir: options.scratch,
    env: options.env,
  });
  const lines: string[] = [];
  const process = new PythonProcess({
    interpreter,
    env: workerEnv(spec),
    loggingLevel: "warning",
    setup: {
      type: "setup",
      script: spec.scriptPath,
      scriptName: spec.scriptName,
      codeDir: spec.codeDir,
      loggingLevel: "warning",
    },
    onLog: (record) => lines.push(record.message),
  });
  const seconds = 120;
  const timer = setTimeout(() => process.kill(), seconds * 1000);
  try {
    const answer = await process.next();
    if (answer.type === "ready") return;
    if (answer.type === "error") {
      throw errors.invalidModel(
        `${model.label} cannot be loaded by ${interpreter}: ${answer.message}\n${answer.traceback ?? ""}`.trimEnd(),
      );
    }
    const how =
      answer.type === "exit" ? describeEnd(answer, interpreter) : `an unexpected '${answer.type}' answer`;
    const output = lines.length > 0 ? `; it wrote: ${lines.slice(-5).join(" | ")}` : "";
    throw errors.invalidModel(`${model.label} could not be loaded: ${how} (within ${seconds} s)${output}`);
  } finally {
    clearTimeout(timer);
    process.kill();
  }
}
