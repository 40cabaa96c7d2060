import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";
import { errors } from "../../errors.js";
import { type MlflowModel, type ModelSignature, parseMlmodel } from "./mlmodel.js";

/** What `inspectModel` finds: the ONNX file to load and, for an MLflow model, its flavors and signature. */
export interface OnnxModelInfo {
  /** Absolute path of the `.onnx` file. */
  modelPath: string;
  source: "onnx" | "mlflow";
  /** MLflow flavors found (empty for a bare ONNX model). */
  flavors: string[];
  signature?: ModelSignature;
}

const CONVERT_HINT =
  "Convert the model to ONNX (scikit-learn: skl2onnx; TensorFlow/Keras: tf2onnx; PyTorch: torch.onnx.export) and log it with mlflow.onnx.log_model, or give the deployment a scoring script (code_configuration).";

/** Where a model folder's model is: a `.onnx` file, or an MLflow folder with its parsed `MLmodel`. */
export type LocatedModel =
  | { kind: "onnx"; modelPath: string }
  | { kind: "mlflow"; folder: string; model: MlflowModel; label: string };

/**
 * Finds the model in a model path: a `.onnx` file, a folder holding exactly one `.onnx` file, or an
 * MLflow model folder (`MLmodel`); a folder holding just one sub-folder is looked into (Azure ML puts
 * the model folder inside the model directory). Reads only small files. Anything else fails with
 * `InvalidModel`.
 */
export async function locateModel(modelDir: string, displayName: string = modelDir): Promise<LocatedModel> {
  const root = resolve(modelDir);
  const info = await stat(root).catch(() => undefined);
  if (info === undefined) throw errors.invalidModel(`Model path '${displayName}' does not exist.`);
  if (info.isFile()) {
    if (extname(root).toLowerCase() !== ".onnx") {
      throw errors.invalidModel(
        `Model file '${displayName}' is not an ONNX file (.onnx): without a scoring script batchfn runs ONNX models and MLflow model folders. ${CONVERT_HINT}`,
      );
    }
    return { kind: "onnx", modelPath: root };
  }
  return locateInFolder(root, displayName);
}

/**
 * Finds the ONNX model to run without code: a `.onnx` file, a folder holding exactly one `.onnx`
 * file, or an MLflow model folder (`MLmodel`) with an `onnx` flavor. A folder holding just one
 * sub-folder is looked into (Azure ML puts the model folder inside the model directory). Reads only
 * small files, so it is cheap enough to run when a deployment is created. An MLflow model without an
 * `onnx` flavor fails with `UnsupportedModelFlavor`; anything else unusable with `InvalidModel`.
 */
export async function inspectModel(modelDir: string, displayName: string = modelDir): Promise<OnnxModelInfo> {
  const located = await locateModel(modelDir, displayName);
  if (located.kind === "onnx") return { modelPath: located.modelPath, source: "onnx", flavors: [] };
  return inspectMlflow(located.folder, located.model, located.label);
}

async function locateInFolder(folder: string, displayName: string): Promise<LocatedModel> {
  const entries = await readdir(folder, { withFileTypes: true });
  if (entries.some((entry) => entry.isFile() && entry.name === "MLmodel")) {
    const label = `MLflow model '${displayName}'`;
    const model = parseMlmodel(await readFile(join(folder, "MLmodel"), "utf8"), `${label} (MLmodel)`);
    return { kind: "mlflow", folder, model, label };
  }
  const onnxFiles = entries
    .filter((e) => e.isFile() && extname(e.name).toLowerCase() === ".onnx")
    .map((e) => e.name);
  const [only, ...others] = onnxFiles;
  if (only !== undefined && others.length === 0) return { kind: "onnx", modelPath: join(folder, only) };
  if (onnxFiles.length > 1) {
    throw errors.invalidModel(
      `Model folder '${displayName}' holds several ONNX files (${onnxFiles.sort().join(", ")}); keep exactly one, or give an MLflow MLmodel file naming it.`,
    );
  }
  const folders = entries.filter((entry) => entry.isDirectory());
  const [single] = folders;
  if (
    single !== undefined &&
    folders.length === 1 &&
    entries.every((e) => e.isDirectory() || e.name.startsWith("."))
  ) {
    return locateInFolder(join(folder, single.name), `${displayName}/${single.name}`);
  }
  const found = entries.map((e) => e.name).sort();
  throw errors.invalidModel(
    `Model folder '${displayName}' holds no .onnx file and no MLmodel file (found: ${found.join(", ") || "nothing"}): without a scoring script batchfn runs ONNX models and MLflow model folders. ${CONVERT_HINT}`,
  );
}

async function inspectMlflow(folder: string, model: MlflowModel, label: string): Promise<OnnxModelInfo> {
  const flavors = Object.keys(model.flavors);
  const onnx = model.flavors.onnx;
  if (onnx === undefined) {
    throw errors.unsupportedModelFlavor(
      `${label} has the flavor${flavors.length === 1 ? "" : "s"} ${flavors.join(", ") || "(none)"} but no 'onnx' flavor: without a scoring script batchfn runs the 'onnx' flavor here, and the Python flavors (python_function, sklearn) in Python. ${CONVERT_HINT}`,
    );
  }
  const data = typeof onnx.data === "string" && onnx.data !== "" ? onnx.data : "model.onnx";
  const modelPath = resolve(folder, data);
  const inside = relative(folder, modelPath);
  if (inside.startsWith("..") || resolve(folder, inside) !== modelPath) {
    throw errors.invalidModel(`${label}: flavors.onnx.data '${data}' points outside the model folder.`);
  }
  const file = await stat(modelPath).catch(() => undefined);
  if (!file?.isFile()) {
    throw errors.invalidModel(
      `${label}: flavors.onnx.data names '${data}', which is not a file in the model folder.`,
    );
  }
  return { modelPath, source: "mlflow", flavors, signature: model.signature };
}
