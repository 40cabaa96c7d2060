import { isMapping, join } from "./fields.js";

/**
 * Keys of Azure ML deployment files that only make sense for Python on an Azure ML compute cluster.
 * batchfn accepts them so existing files keep working, keeps them as written in
 * `accepted_not_used`, and says why they are not used.
 */
const REASONS = {
  environment:
    "Python environments are not used; scoring scripts are JavaScript/TypeScript and run on the Function App's Node.js runtime",
  conda_file: "conda environments are not used; scoring scripts are JavaScript/TypeScript",
  docker: "container images are not used; scoring runs inside the Function App",
  compute:
    "the compute is the Function App; scale with resources.instance_count and max_concurrency_per_instance",
} as const;

export type PythonOnlyKey = keyof typeof REASONS;
export const PYTHON_ONLY_KEYS = Object.keys(REASONS) as PythonOnlyKey[];

/** The warning for one accepted-but-unused key, naming it by its full YAML path. */
export function acceptedNotUsedWarning(path: string, key: PythonOnlyKey): string {
  return `${path}: accepted, not used: ${REASONS[key]}`;
}

/**
 * Picks the Python-only keys out of a deployment mapping. `compute` given as a 2021 mapping keeps
 * only what is not used (`target`): its `instance_count` is read as `resources.instance_count`.
 */
export function collectAcceptedNotUsed(
  document: Record<string, unknown>,
  prefix: string,
  warnings: string[],
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
    warnings.push(acceptedNotUsedWarning(join(prefix, key), key));
  }
  return kept;
}
