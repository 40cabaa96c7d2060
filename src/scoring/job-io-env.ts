import { z } from "zod";

/** A value a scoring script gets for a named input: a local path (data) or the literal's value. */
export type JobInputValue = string | number | boolean;

/** What a scoring script gets of its job's named inputs and outputs. */
export interface ScriptJobIO {
  /** Named inputs besides the default one: data inputs as local paths (a file or a folder), literals as values. */
  inputs: Record<string, JobInputValue>;
  /** Named outputs beyond `score`: local folders whose files become the output's files. */
  outputs: Record<string, string>;
}

const INPUTS = "BATCHFN_INPUTS";
const OUTPUTS = "BATCHFN_OUTPUTS";
const inputsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const outputsSchema = z.record(z.string(), z.string());

/**
 * The variables that carry a job's named inputs and outputs to its scoring script, in every runtime:
 * Azure ML's own `AZURE_ML_INPUT_<name>` (a local path, or the literal's text: `true`/`false`,
 * numbers as written) and `AZURE_ML_OUTPUT_<name>` (a local folder), and the typed whole as JSON
 * in `BATCHFN_INPUTS` / `BATCHFN_OUTPUTS` (what `context.inputs` and Python's `batchfn_job` read).
 */
export function jobIOEnv(io: ScriptJobIO): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(io.inputs)) env[`AZURE_ML_INPUT_${name}`] = String(value);
  for (const [name, path] of Object.entries(io.outputs)) env[`AZURE_ML_OUTPUT_${name}`] = path;
  if (Object.keys(io.inputs).length > 0) env[INPUTS] = JSON.stringify(io.inputs);
  if (Object.keys(io.outputs).length > 0) env[OUTPUTS] = JSON.stringify(io.outputs);
  return env;
}

/** A job's named inputs and outputs back from a runtime's variables (none when the job has none). */
export function readJobIO(env: Record<string, string>): ScriptJobIO {
  return { inputs: readJson(env[INPUTS], inputsSchema), outputs: readJson(env[OUTPUTS], outputsSchema) };
}

function readJson<T>(text: string | undefined, schema: z.ZodType<Record<string, T>>): Record<string, T> {
  if (text === undefined) return {};
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
