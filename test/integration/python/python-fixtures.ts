import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import type { LoggingLevel } from "../../../src/scoring/log/log-levels.js";
import type { ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import { createPythonPool } from "../../../src/scoring/python/python-pool.js";
import type { MiniBatchInput } from "../../../src/scoring/runtime.js";
import { testPython } from "../../support/python.js";
import { inputFiles, tempDir } from "../scoring/scoring-fixtures.js";

/** Helpers for the Python runtime tests: fixture code folders and pools of real Python processes. */

const fixtures = fileURLToPath(new URL("../../fixtures/python/", import.meta.url));
const pools: ScoringPool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

export { inputFiles, tempDir };

/** A copy of `test/fixtures/python/<name>` outside the repository. */
export async function pythonFixture(name: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "batchfn-pycode-")), name);
  await cp(join(fixtures, name), dir, { recursive: true });
  return dir;
}

export interface PythonFixturePool {
  pool: ScoringPool;
  codeDir: string;
  outputDir: string;
}

/** A pool of Python processes running `<fixture>/<script>` with the fixture model folder. */
export async function pythonPool(
  options: {
    fixture?: string;
    script?: string;
    workers?: number;
    timeoutSeconds?: number;
    initTimeoutSeconds?: number;
    loggingLevel?: LoggingLevel;
    env?: Record<string, string>;
    workerMemoryMb?: number;
    interpreter?: string;
    entry?: "run" | "run_files";
  } = {},
): Promise<PythonFixturePool> {
  const interpreter = options.interpreter ?? testPython();
  const codeDir = await pythonFixture(options.fixture ?? "behaviours");
  const script = options.script ?? "score.py";
  const outputDir = await tempDir("batchfn-pyout-");
  const pool = createPythonPool({
    runtime: {
      kind: "python",
      interpreter,
      scriptPath: join(codeDir, script),
      scriptName: script,
      codeDir,
      modelDir: join(fixtures, "model"),
      outputDir,
      env: { MARKER_DIR: await tempDir("batchfn-marker-"), ...options.env },
      ...(options.entry ? { entry: options.entry } : {}),
    },
    workers: options.workers ?? 1,
    timeoutSeconds: options.timeoutSeconds ?? 30,
    initTimeoutSeconds: options.initTimeoutSeconds,
    loggingLevel: options.loggingLevel ?? "info",
    workerMemoryMb: options.workerMemoryMb ?? 1024,
  });
  pools.push(pool);
  return { pool, codeDir, outputDir };
}

/** A mini-batch of files, each holding one instruction for the `behaviours` script. */
export async function instructions(
  index: number,
  files: Record<string, string>,
  attempt = 1,
): Promise<MiniBatchInput> {
  const paths = await inputFiles(files);
  return {
    index,
    attempt,
    files: paths.map((path) => ({ path, name: path.split("/").pop() ?? path, rowOffset: 0 })),
  };
}
