import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { errors } from "../../errors.js";

/** One file to upload: its path inside the artifact, where it is on disk, its size and sha256. */
export interface LocalFile {
  path: string;
  absolute: string;
  size: number;
  sha256: string;
}

/** A local file or folder read for upload. */
export interface LocalTarget {
  kind: "file" | "folder";
  /** The path as given, resolved. */
  absolute: string;
  files: LocalFile[];
  size: number;
}

/** Folders never uploaded: version control data. */
const SKIPPED = new Set([".git"]);

/**
 * Reads a local file or folder for upload: every file under a folder (nested folders included,
 * `.git` left out), each hashed. A single file becomes a one-file artifact named after it.
 * `InputNotFound` when the path does not exist, `InputEmpty` for a folder without files.
 */
export async function readLocalTarget(absolute: string, label: string): Promise<LocalTarget> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw errors.inputNotFound(`${label} '${absolute}' does not exist.`);
  if (info.isFile()) {
    const file = await hashed(absolute, basename(absolute), info.size);
    return { kind: "file", absolute, files: [file], size: info.size };
  }
  const files: LocalFile[] = [];
  for (const path of await walk(absolute)) {
    const size = (await stat(path)).size;
    files.push(await hashed(path, relative(absolute, path).split(sep).join("/"), size));
  }
  if (files.length === 0) throw errors.inputEmpty(`${label} '${absolute}' holds no files.`);
  return { kind: "folder", absolute, files, size: files.reduce((sum, file) => sum + file.size, 0) };
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    const info = entry.isSymbolicLink() ? await stat(path) : entry;
    if (info.isDirectory()) {
      if (!SKIPPED.has(entry.name)) found.push(...(await walk(path)));
    } else if (info.isFile()) {
      found.push(path);
    }
  }
  return found;
}

async function hashed(absolute: string, path: string, size: number): Promise<LocalFile> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(absolute)) hash.update(chunk);
  return { path, absolute, size, sha256: hash.digest("hex") };
}
