import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { LocatedModel } from "../onnx/inspect-model.js";
import type { ModelSignature } from "../onnx/mlmodel.js";
import type { PythonRuntimeSpec } from "../runtime.js";

/** The loader batchfn runs without the mlflow package. */
export const SKLEARN_LOADER = "mlflow.sklearn";

/**
 * An MLflow model batchfn scores in Python: it has a `python_function` flavor (or an `sklearn` one)
 * and no `onnx` flavor (ONNX-flavored models keep the Node runtime).
 */
export interface PythonMlflowModel {
  /** Absolute path of the folder holding `MLmodel`. */
  folder: string;
  /** `MLflow model '<name>'`, for messages. */
  label: string;
  /** `python_function.loader_module` (`mlflow.sklearn` for an sklearn flavor without one). */
  loaderModule: string;
  /** `sklearn.sklearn_version`: the scikit-learn the model was saved with. */
  sklearnVersion?: string;
  /** What the driver reads from `BATCHFN_MLFLOW_MODEL` (see driver/mlflow_model.py). */
  driverDescription: string;
}

/** The Python view of a located MLflow model, or undefined when it is not one batchfn runs in Python. */
export function pythonMlflowModel(located: LocatedModel): PythonMlflowModel | undefined {
  if (located.kind !== "mlflow") return undefined;
  const { flavors, signature, outputNames } = located.model;
  if (flavors.onnx !== undefined) return undefined;
  const pyfunc = flavors.python_function;
  const sklearn = flavors.sklearn;
  const loader = typeof pyfunc?.loader_module === "string" ? pyfunc.loader_module : undefined;
  if (loader === undefined && sklearn === undefined) return undefined;
  const sklearnVersion = typeof sklearn?.sklearn_version === "string" ? sklearn.sklearn_version : undefined;
  const description = {
    folder: located.folder,
    flavors: { python_function: pyfunc ?? null, sklearn: sklearn ?? null },
    inputs: signature ? driverInputs(signature) : null,
    outputNames: outputNames ?? null,
  };
  return {
    folder: located.folder,
    label: located.label,
    loaderModule: loader ?? SKLEARN_LOADER,
    ...(sklearnVersion === undefined ? {} : { sklearnVersion }),
    driverDescription: JSON.stringify(description),
  };
}

/** The signature's inputs as MLflow writes them, which the driver reads. */
function driverInputs(signature: ModelSignature): unknown[] {
  if (signature.kind === "columns") return signature.columns;
  return signature.tensors.map((tensor) => ({
    type: "tensor",
    ...(tensor.name === undefined ? {} : { name: tensor.name }),
    "tensor-spec": { dtype: tensor.dtype, shape: tensor.shape },
  }));
}

/** The runtime that scores a Python MLflow model: batchfn's driver module in the Python pool. */
export function mlflowRuntimeSpec(options: {
  model: PythonMlflowModel;
  interpreter: string;
  modelDir: string;
  outputDir: string;
  env: Record<string, string>;
}): PythonRuntimeSpec {
  const scriptPath = fileURLToPath(new URL("./driver/mlflow_driver.py", import.meta.url));
  return {
    kind: "python",
    entry: "run_files",
    interpreter: options.interpreter,
    scriptPath,
    scriptName: "mlflow_driver.py (no-code MLflow model)",
    codeDir: dirname(scriptPath),
    modelDir: options.modelDir,
    outputDir: options.outputDir,
    env: { ...options.env, BATCHFN_MLFLOW_MODEL: options.model.driverDescription },
  };
}
