import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RuntimeSpec } from "../runtime.js";

export interface ScriptRuntimeSpecOptions {
  /** Local path of the bundle written by `writeScoringBundle`. */
  bundlePath: string;
  /** The script's name in messages (`code_configuration.scoring_script`). */
  scriptName?: string;
  modelDir: string;
  outputDir: string;
  /** The deployment's `environment_variables`. */
  env?: Record<string, string>;
}

/** The runtime spec of a custom scoring script, for `createScoringPool`. */
export function scriptRuntimeSpec(
  options: ScriptRuntimeSpecOptions,
): Extract<RuntimeSpec, { kind: "script" }> {
  const { bundlePath, scriptName, modelDir, outputDir, env = {} } = options;
  const spec: Extract<RuntimeSpec, { kind: "script" }> = {
    kind: "script",
    scriptPath: bundlePath,
    modelDir,
    outputDir,
    env,
  };
  if (scriptName !== undefined) spec.scriptName = scriptName;
  return spec;
}

/**
 * Writes a bundle (`bundleScoringScript().code`) into `dir` as `scoring-script.mjs` (the `.mjs`
 * makes Node load it as ESM wherever it lies) and returns its path.
 */
export async function writeScoringBundle(options: { code: string; dir: string }): Promise<string> {
  await mkdir(options.dir, { recursive: true });
  const bundlePath = join(options.dir, "scoring-script.mjs");
  await writeFile(bundlePath, options.code);
  return bundlePath;
}
