import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { BlobAccess } from "../inputs/blob-access.js";
import { mapLimited } from "../map-limited.js";
import type { OutputLocation } from "./output-target.js";

/** A named output's local folder (what the script writes into) and where its files go. */
export interface NamedOutputFolder {
  name: string;
  localDir: string;
  location: OutputLocation;
}

/**
 * Uploads the files scoring scripts wrote into named output folders to `<output path>/<same
 * relative path>`, replacing blobs of the same name. Only files new or changed since the last upload
 * of this instance (`seen`: path → size and modification time) are sent, so a job of many
 * mini-batches does not send its files again and again. Symbolic links are skipped. Returns how
 * many files were sent.
 */
export async function uploadNamedOutputs(
  request: { folders: readonly NamedOutputFolder[]; seen: Map<string, string>; concurrency?: number },
  deps: { access: BlobAccess },
): Promise<number> {
  let sent = 0;
  for (const folder of request.folders) {
    const files = await changedFiles(folder.localDir, request.seen);
    const container = deps.access.container(folder.location.store, folder.location.container);
    await mapLimited(files, request.concurrency ?? 4, async (file) => {
      const blob = container.getBlockBlobClient(`${folder.location.prefix}${file.relativePath}`);
      await blob.uploadFile(file.path);
      request.seen.set(file.path, file.signature);
    });
    sent += files.length;
  }
  return sent;
}

async function changedFiles(
  dir: string,
  seen: ReadonlyMap<string, string>,
): Promise<Array<{ path: string; relativePath: string; signature: string }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const changed = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    const signature = `${info.size}:${info.mtimeMs}`;
    if (seen.get(path) === signature) continue;
    changed.push({ path, relativePath: relative(dir, path).split(sep).join("/"), signature });
  }
  return changed.sort((a, b) => (a.relativePath < b.relativePath ? -1 : 1));
}
