import type { RuntimeSpec } from "./runtime.js";

/**
 * The environment variables a scoring runtime sees besides the app's own: the deployment's
 * `environment_variables`, then the Azure ML names for the model and output folders
 * (`AZUREML_MODEL_DIR`, `AZUREML_BI_OUTPUT_PATH`) and batchfn's `BATCHFN_MODEL_DIR`.
 */
export function runtimeEnv(spec: RuntimeSpec): Record<string, string> {
  return {
    ...spec.env,
    AZUREML_MODEL_DIR: spec.modelDir,
    BATCHFN_MODEL_DIR: spec.modelDir,
    AZUREML_BI_OUTPUT_PATH: spec.outputDir,
  };
}

/** The whole environment of a worker thread: the app's environment with `runtimeEnv` on top. */
export function workerEnv(spec: RuntimeSpec, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...runtimeEnv(spec) };
}
