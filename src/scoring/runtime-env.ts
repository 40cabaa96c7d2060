import type { RuntimeSpec } from "./runtime.js";

/**
 * The host's variables a scoring script also sees: what programs need to run (the search path, the
 * home and temp folders, the locale and time zone), none of which carries a secret. Everything else
 * of the app's environment (storage connection strings, keys, app settings) stays out.
 */
const SYSTEM_VARIABLES = /^(PATH|HOME|USER|LANG|LC_[A-Z_]+|TZ|TMPDIR|TEMP|TMP|SYSTEMROOT|WINDIR)$/;

/**
 * The variables a scoring runtime is given by the contract: the deployment's
 * `environment_variables`, then the Azure ML names for the model and output folders
 * (`AZUREML_MODEL_DIR`, `AZUREML_BI_OUTPUT_PATH`) and batchfn's `BATCHFN_MODEL_DIR`. This is also
 * `context.env` of a script.
 */
export function runtimeEnv(spec: RuntimeSpec): Record<string, string> {
  return {
    ...spec.env,
    AZUREML_MODEL_DIR: spec.modelDir,
    BATCHFN_MODEL_DIR: spec.modelDir,
    AZUREML_BI_OUTPUT_PATH: spec.outputDir,
  };
}

/**
 * The whole environment a scoring script sees, in whatever runs it (a worker thread's
 * `process.env`, a child process's environment): the host's system variables (`PATH`, `HOME`,
 * `USER`, `LANG`, `LC_*`, `TZ`, `TMPDIR`/`TEMP`/`TMP`, `SYSTEMROOT`/`WINDIR`) with `runtimeEnv` on
 * top. Never the app's settings or secrets (`AzureWebJobsStorage`, `BATCHFN_ADMIN_KEY`...). Pass it
 * as the thread's or process's own environment, so nothing the script changes reaches the host's.
 */
export function workerEnv(spec: RuntimeSpec, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(host)) {
    if (value !== undefined && SYSTEM_VARIABLES.test(key)) env[key] = value;
  }
  return { ...env, ...runtimeEnv(spec) };
}
