import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { MiniBatchFile } from "./runtime.js";

/**
 * Writes the files of a mini-batch that were handed over in memory (`data`) to their `path`, for a
 * script that takes file paths; files already on disk are left as they are. Meant for the thread
 * of the runtime that needs them (a scoring worker, which has nothing else to do meanwhile), so the
 * host's main thread does no file work for them: synchronous calls, without a round trip through
 * libuv's thread pool and a promise per file (for a mini-batch of ten small images that halves the
 * CPU of writing them; see docs/benchmarks.md).
 * Answers a function that removes the files written, for when the script is done with them, so the
 * host's clean-up of the mini-batch's folder finds them gone.
 */
export function placeInMemoryFiles(files: readonly MiniBatchFile[]): () => void {
  const written = files.filter((file) => file.data);
  const folders = new Set(written.map((file) => dirname(file.path)));
  for (const folder of folders) mkdirSync(folder, { recursive: true });
  const placed: string[] = [];
  for (const file of written) {
    if (!file.data) continue;
    writeFileSync(file.path, file.data);
    placed.push(file.path);
  }
  return () => {
    for (const path of placed) rmSync(path, { force: true });
  };
}
