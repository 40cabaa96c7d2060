import { isMapping, join } from "./fields.js";

/**
 * Keys of Azure ML deployment files that describe an Azure ML compute cluster and its environment.
 * batchfn accepts them so existing files keep working, keeps them as written in
 * `accepted_not_used`, and says what becomes of them. A Python scoring script's environment is
 * read (its packages are checked in the app's interpreter when the deployment is created), never
 * built.
 */
const REASONS = {
  environment:
    "an environment is read only for a Python scoring script; this deployment scores on the Function App's Node.js runtime",
  conda_file: "a conda file is read only for a Python scoring script; this deployment scores on Node.js",
  docker: "container images are not used; scoring runs inside the Function App",
  compute:
    "the compute is the Function App; scale with resources.instance_count and max_concurrency_per_instance",
} as const;

/** What becomes of the environment keys when the scoring script is Python. */
const PYTHON_REASONS: Partial<Record<keyof typeof REASONS, string>> = {
  environment:
    "read, not built: the packages of its conda file are checked in the app's Python interpreter (BATCHFN_PYTHON) when the deployment is created; its image is not used",
  conda_file:
    "read, not built: its packages are checked in the app's Python interpreter (BATCHFN_PYTHON) when the deployment is created",
};

export type PythonOnlyKey = keyof typeof REASONS;
export const PYTHON_ONLY_KEYS = Object.keys(REASONS) as PythonOnlyKey[];

/** The warning for one accepted-but-unused key, naming it by its full YAML path. */
export function acceptedNotUsedWarning(path: string, key: PythonOnlyKey, python = false): string {
  const read = python ? PYTHON_REASONS[key] : undefined;
  return read ? `${path}: ${read}` : `${path}: accepted, not used: ${REASONS[key]}`;
}

/**
 * Picks the Python-only keys out of a deployment mapping. `compute` given as a 2021 mapping keeps
 * only what is not used (`target`): its `instance_count` is read as `resources.instance_count`.
 * `python`: the scoring script is Python, whose environment is read.
 */
export function collectAcceptedNotUsed(
  document: Record<string, unknown>,
  prefix: string,
  warnings: string[],
  python = false,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of PYTHON_ONLY_KEYS) {
    const value = document[key];
    if (value === undefined) continue;
    if (key === "compute" && isMapping(value)) {
      const { instance_count: _used, ...unused } = value;
      if (Object.keys(unused).length === 0) continue;
      kept[key] = unused;
      for (const field of Object.keys(unused))
        warnings.push(acceptedNotUsedWarning(join(prefix, `compute.${field}`), key));
      continue;
    }
    kept[key] = value;
    warnings.push(acceptedNotUsedWarning(join(prefix, key), key, python));
  }
  return kept;
}
