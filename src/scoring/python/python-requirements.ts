import { isMapping } from "../../spec/fields.js";

/**
 * The packages a Python environment asks for, read from a conda file (`dependencies:`, with its
 * `pip:` list) or a pip requirements file, as the modules to find in the app's interpreter.
 */

/** One package the environment needs. */
export interface PythonRequirement {
  /** The package as written (`scikit-learn`). */
  name: string;
  /** The module it provides (`sklearn`). */
  module: string;
  /** An exact version asked for (`==1.2.1`, conda `=1.2.1`), compared with the installed one. */
  pinned?: string;
  /** Where it was read (`environment.conda_file`, `model/requirements.txt`). */
  source: string;
}

/** Packages batchfn plays the part of, or that only install others: never required. */
const PLUMBING = new Set([
  "python",
  "pip",
  "setuptools",
  "wheel",
  "mlflow",
  "mlflow-skinny",
  "inference-schema",
  "conda",
]);

/** pip/conda names whose module has another name. */
const MODULES: Record<string, string> = {
  "scikit-learn": "sklearn",
  sklearn: "sklearn",
  pillow: "PIL",
  "opencv-python": "cv2",
  "opencv-python-headless": "cv2",
  "opencv-contrib-python": "cv2",
  "py-opencv": "cv2",
  opencv: "cv2",
  pyyaml: "yaml",
  "scikit-image": "skimage",
  beautifulsoup4: "bs4",
  "python-dateutil": "dateutil",
  protobuf: "google.protobuf",
  pytorch: "torch",
  "tensorflow-cpu": "tensorflow",
  "tensorflow-gpu": "tensorflow",
  "msgpack-python": "msgpack",
  "typing-extensions": "typing_extensions",
  "lightgbm-cpu": "lightgbm",
  "py-xgboost": "xgboost",
  "pyarrow-hotfix": "pyarrow_hotfix",
  "azure-storage-blob": "azure.storage.blob",
  "azure-identity": "azure.identity",
};

/** The module a package provides: a known exception, else its name with `-` and `.` as `_`. */
export function moduleOf(name: string): string {
  const key = name.toLowerCase().replace(/_/g, "-");
  return MODULES[key] ?? key.replace(/[-.]/g, "_");
}

function isPlumbing(name: string): boolean {
  const key = name.toLowerCase().replace(/_/g, "-");
  return PLUMBING.has(key) || key.startsWith("azureml-") || key.startsWith("azureml_");
}

/**
 * One pip requirement line (`pandas>=1.5`, `scikit-learn==1.2.1`, `pkg[extra]==2`); undefined for
 * options, URLs, comments and plumbing.
 */
export function pipRequirement(line: string, source: string): PythonRequirement | undefined {
  const text = line.replace(/\s+#.*$/, "").trim();
  if (text === "" || text.startsWith("#") || text.startsWith("-") || text.includes("://")) return undefined;
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(text.split(";")[0] ?? "");
  if (!match?.[1]) return undefined;
  const name = match[1];
  if (isPlumbing(name)) return undefined;
  const pin = /^===?\s*([^,\s]+)$/.exec((match[3] ?? "").trim());
  return { name, module: moduleOf(name), source, ...(pin?.[1] ? { pinned: pin[1] } : {}) };
}

/** One conda dependency (`numpy=1.24`, `conda-forge::pandas>=1.5`, `scikit-learn 1.2.*`). */
export function condaRequirement(text: string, source: string): PythonRequirement | undefined {
  const spec = text.trim().replace(/^[^:\s]+::/, "");
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$/.exec(spec);
  if (!match?.[1] || isPlumbing(match[1])) return undefined;
  const name = match[1];
  const pin = /^(?:==?|\s)\s*([0-9][^,|*\s=<>!]*)$/.exec(match[2] ?? "");
  return { name, module: moduleOf(name), source, ...(pin?.[1] ? { pinned: pin[1] } : {}) };
}

/** The requirements of a conda file's content (a mapping with `dependencies:`), pip ones included. */
export function condaRequirements(conda: unknown, source: string): PythonRequirement[] {
  const dependencies = isMapping(conda) && Array.isArray(conda.dependencies) ? conda.dependencies : [];
  const found: PythonRequirement[] = [];
  for (const dependency of dependencies) {
    if (typeof dependency === "string") {
      const requirement = condaRequirement(dependency, source);
      if (requirement) found.push(requirement);
    } else if (isMapping(dependency) && Array.isArray(dependency.pip)) {
      for (const line of dependency.pip) {
        const requirement = typeof line === "string" ? pipRequirement(line, `${source} (pip)`) : undefined;
        if (requirement) found.push(requirement);
      }
    }
  }
  return found;
}

/** The requirements of a pip requirements file's text. */
export function pipRequirements(text: string, source: string): PythonRequirement[] {
  return text
    .split(/\r?\n/)
    .map((line) => pipRequirement(line, source))
    .filter((requirement) => requirement !== undefined);
}
