import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { MiniBatchFile } from "./runtime.js";

/**
 * Writes the files of a mini-batch that were handed over in memory (`data`) to their `path`, for a
 * script that takes file paths; runs in the thread of the runtime that needs them, so the host's
 * main thread does no file work for them. Files already on disk are left as they are.
 */
export async function writeInMemoryFiles(files: readonly MiniBatchFile[]): Promise<void> {
  const folders = new Set(files.filter((file) => file.data).map((file) => dirname(file.path)));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await Promise.all(files.map((file) => (file.data ? writeFile(file.path, file.data) : undefined)));
}
