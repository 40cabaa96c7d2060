import { createScoringPool, type ScoringPool, type ScoringPoolOptions } from "./pool/scoring-pool.js";
import { createPythonPool } from "./python/python-pool.js";

export interface RuntimePoolOptions extends ScoringPoolOptions {
  /** Memory limit of one Python process (RLIMIT_AS), in MB. */
  memoryMb?: number;
}

/**
 * The pool a runtime runs in: worker threads for JavaScript/TypeScript scripts and ONNX models,
 * long-lived processes for Python scripts. Both keep the `ScoringPool` contract.
 */
export function createRuntimePool(options: RuntimePoolOptions): ScoringPool {
  const { memoryMb, ...threadOptions } = options;
  if (options.runtime.kind === "python") {
    return createPythonPool({
      ...threadOptions,
      runtime: options.runtime,
      ...(memoryMb === undefined ? {} : { memoryMb }),
    });
  }
  return createScoringPool(threadOptions);
}
