import { createScoringPool, type ScoringPool, type ScoringPoolOptions } from "./pool/scoring-pool.js";
import { createPythonPool } from "./python/python-pool.js";

/**
 * The pool a runtime runs in: worker threads for JavaScript/TypeScript scripts and ONNX models,
 * long-lived processes for Python scripts. Both keep the `ScoringPool` contract, `workerMemoryMb`
 * included (a Python process gets it as RLIMIT_DATA).
 */
export function createRuntimePool(options: ScoringPoolOptions): ScoringPool {
  if (options.runtime.kind === "python") return createPythonPool({ ...options, runtime: options.runtime });
  return createScoringPool(options);
}
