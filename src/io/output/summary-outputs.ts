import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { errors } from "../../errors.js";
import { mapLimited } from "../map-limited.js";
import { outputFileNames } from "./check-output-free.js";
import type { OutputTarget } from "./output-target.js";
import type { OutputDeps } from "./stage-mini-batch.js";

export interface UploadedOutputs {
  files: number;
  bytes: number;
}

/**
 * summary_only: uploads every file a scoring script wrote under `localDir` to
 * `<output path>/<same relative path>`, replacing blobs of the same name (a retried mini-batch
 * writes the same names again). Symbolic links are skipped; names batchfn writes itself
 * (errors.jsonl, job_summary.json) are refused at the top level.
 */
export async function uploadSummaryOutputs(
  request: { target: OutputTarget; localDir: string; concurrency?: number },
  deps: Pick<OutputDeps, "access">,
): Promise<UploadedOutputs> {
  const { target, localDir } = request;
  const files = await listFiles(localDir);
  const reserved = new Set(outputFileNames(target));
  const clash = files.find((file) => reserved.has(file));
  if (clash) {
    throw errors.invalidInput(
      `The scoring script wrote '${clash}' in its output folder; that name is reserved for batchfn's own file.`,
    );
  }
  const container = deps.access.container(target.location.store, target.location.container);
  const sizes = await mapLimited(files, request.concurrency ?? 4, async (file) => {
    const path = join(localDir, ...file.split("/"));
    await container.getBlockBlobClient(`${target.location.prefix}${file}`).uploadFile(path);
    return (await stat(path)).size;
  });
  return { files: files.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

/** Regular files under a folder, as `/`-separated relative paths, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}
