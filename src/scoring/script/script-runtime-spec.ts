import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RuntimeSpec } from "../runtime.js";

export interface ScriptRuntimeSpecOptions {
  /** Local path of the bundle written by `writeScoringBundle`. */
  bundlePath: string;
  modelDir: string;
  outputDir: string;
  /** The deployment's `environment_variables`. */
  env?: Record<string, string>;
}

/** The runtime spec of a custom scoring script, for `createScoringPool`. */
export function scriptRuntimeSpec(
  options: ScriptRuntimeSpecOptions,
): Extract<RuntimeSpec, { kind: "script" }> {
  const { bundlePath, modelDir, outputDir, env = {} } = options;
  return { kind: "script", scriptPath: bundlePath, modelDir, outputDir, env };
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
