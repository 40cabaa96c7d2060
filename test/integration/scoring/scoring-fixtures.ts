import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import type { LoggingLevel } from "../../../src/scoring/log/log-levels.js";
import { createScoringPool, type ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import type { MiniBatchInput } from "../../../src/scoring/runtime.js";
import { bundleScoringScript } from "../../../src/scoring/script/bundle-scoring-script.js";
import { scriptRuntimeSpec, writeScoringBundle } from "../../../src/scoring/script/script-runtime-spec.js";

/** Helpers for the scoring tests: temporary folders, bundled fixture scripts, pools, mini-batches. */

const fixtures = fileURLToPath(new URL("../../fixtures/scripts/", import.meta.url));
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A new empty folder under the system temp folder (outside the repository), removed after the test. */
export async function tempDir(prefix = "batchfn-scoring-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of a fixture code folder (test/fixtures/scripts/<name>) in a temp folder. */
export async function copyFixture(name: string): Promise<string> {
  const dir = join(await tempDir("batchfn-code-"), name);
  await cp(join(fixtures, name), dir, { recursive: true });
  return dir;
}

/** A bundled script written to disk. */
export interface BundledScript {
  bundlePath: string;
  scriptName: string;
}

/** Bundles a script of a code folder and writes the bundle to a temp folder. */
export async function bundled(codeDir: string, scoringScript: string): Promise<BundledScript> {
  const bundle = await bundleScoringScript({ codeDir, scoringScript });
  const bundlePath = await writeScoringBundle({ code: bundle.code, dir: await tempDir("batchfn-bundle-") });
  return { bundlePath, scriptName: scoringScript };
}

/** Writes an ES module as it is (no bundling, no validation), as a stored bundle would be. */
export async function unbundled(code: string, scriptName = "score.mjs"): Promise<BundledScript> {
  const bundlePath = await writeScoringBundle({ code, dir: await tempDir("batchfn-bundle-") });
  return { bundlePath, scriptName };
}

/** Bundles a fixture script copied outside the repository. */
export async function bundledFixture(name: string, scoringScript: string): Promise<BundledScript> {
  return bundled(await copyFixture(name), scoringScript);
}

/** Writes input files (name → content) into a temp folder; returns their paths in the given order. */
export async function inputFiles(contents: Record<string, string | Uint8Array>): Promise<string[]> {
  const dir = await tempDir("batchfn-input-");
  const paths: string[] = [];
  for (const [name, content] of Object.entries(contents)) {
    const path = join(dir, name);
    await writeFile(path, content);
    paths.push(path);
  }
  return paths;
}

/** A mini-batch of whole files. */
export function miniBatch(index: number, paths: string[], attempt = 1): MiniBatchInput {
  return {
    index,
    attempt,
    files: paths.map((path) => ({ path, name: path.split("/").pop() ?? path, rowOffset: 0 })),
  };
}

export interface FixturePool {
  pool: ScoringPool;
  modelDir: string;
  outputDir: string;
}

/** A pool running a bundled fixture script, closed after the test. */
export async function fixturePool(options: {
  script: BundledScript;
  workers?: number;
  timeoutSeconds?: number;
  initTimeoutSeconds?: number;
  loggingLevel?: LoggingLevel;
  env?: Record<string, string>;
  modelDir?: string;
  workerMemoryMb?: number;
}): Promise<FixturePool> {
  const modelDir = options.modelDir ?? (await tempDir("batchfn-model-"));
  const outputDir = await tempDir("batchfn-output-");
  const pool = createScoringPool({
    runtime: scriptRuntimeSpec({ ...options.script, modelDir, outputDir, env: options.env }),
    workers: options.workers ?? 1,
    timeoutSeconds: options.timeoutSeconds ?? 30,
    initTimeoutSeconds: options.initTimeoutSeconds,
    loggingLevel: options.loggingLevel ?? "info",
    workerMemoryMb: options.workerMemoryMb ?? 1024,
  });
  cleanups.push(() => pool.close());
  return { pool, modelDir, outputDir };
}
