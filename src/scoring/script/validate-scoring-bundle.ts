import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { errors } from "../../errors.js";
import { workerFile } from "../worker-file.js";
import { inspectionResultSchema } from "./inspection.js";

export interface ValidateScoringBundleOptions {
  /** The bundle (an ESM module). */
  code: string;
  /** The script's name in messages (`code_configuration.scoring_script`). */
  scriptName: string;
  /** Seconds the script's top-level code may take to load; default 60. */
  timeoutSeconds?: number;
}

/**
 * Loads a bundled scoring script in a throwaway worker thread and checks its exports against the
 * contract; throws `InvalidScoringScript` when an export is missing or not a function, or when the
 * module fails (or takes too long) to load. The script's `init` is not called.
 */
export async function validateScoringBundle(options: ValidateScoringBundleOptions): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), "batchfn-bundle-"));
  try {
    const bundlePath = join(folder, "scoring-script.mjs");
    await writeFile(bundlePath, options.code);
    const answer = await inspect(bundlePath, options);
    if (answer.ok) return;
    throw errors.invalidScoringScript(answer.message, { details: answer.details });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function inspect(bundlePath: string, options: ValidateScoringBundleOptions) {
  const entry = workerFile(import.meta.url, "inspection-worker");
  const worker = new Worker(entry.filename, {
    execArgv: entry.execArgv,
    workerData: { bundlePath, scriptName: options.scriptName },
    stdout: true,
    stderr: true,
  });
  const seconds = options.timeoutSeconds ?? 60;
  try {
    const answer = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            errors.invalidScoringScript(
              `Scoring script '${options.scriptName}' did not load within ${seconds} s`,
            ),
          ),
        seconds * 1000,
      );
      worker.once("message", (message: unknown) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once("error", (thrown: Error) => {
        clearTimeout(timer);
        reject(
          errors.invalidScoringScript(
            `Scoring script '${options.scriptName}' fails when loaded: ${thrown.message}`,
          ),
        );
      });
      worker.once("exit", (code) => {
        clearTimeout(timer);
        reject(
          errors.invalidScoringScript(
            `Scoring script '${options.scriptName}' ended its thread while loading (exit code ${code})`,
          ),
        );
      });
    });
    return inspectionResultSchema.parse(answer);
  } finally {
    await worker.terminate();
  }
}
