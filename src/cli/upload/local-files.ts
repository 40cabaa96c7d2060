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

/** The most files one upload takes (the server's bound on `POST /api/artifact-uploads`). */
export const MAX_UPLOAD_FILES = 10_000;

/**
 * Reads a local file or folder for upload: every file under a folder (nested folders included,
 * `.git` left out), each hashed. A single file becomes a one-file artifact named after it.
 * `InputNotFound` when the path does not exist, `InputEmpty` for a folder without files,
 * `LimitExceeded` past 10,000 files (found before any is read), `LocalFileUnreadable` when a file or
 * folder cannot be read (no permission, a symbolic link loop).
 */
export async function readLocalTarget(absolute: string, label: string): Promise<LocalTarget> {
  try {
    return await readTarget(absolute, label);
  } catch (thrown) {
    if (!isFileSystemError(thrown)) throw thrown;
    throw errors.localFileUnreadable(
      `${label} '${absolute}': cannot read ${thrown.path ?? "it"} (${thrown.code}).`,
      thrown,
    );
  }
}

async function readTarget(absolute: string, label: string): Promise<LocalTarget> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw errors.inputNotFound(`${label} '${absolute}' does not exist.`);
  if (info.isFile()) {
    const file = await hashed(absolute, basename(absolute), info.size);
    return { kind: "file", absolute, files: [file], size: info.size };
  }
  const paths: string[] = [];
  await walk(absolute, paths);
  if (paths.length > MAX_UPLOAD_FILES) {
    throw errors.limitExceeded(`${label} '${absolute}'`, [
      { path: label, message: `holds more than ${MAX_UPLOAD_FILES} files, the most one upload takes` },
    ]);
  }
  const files: LocalFile[] = [];
  for (const path of paths) {
    const size = (await stat(path)).size;
    files.push(await hashed(path, relative(absolute, path).split(sep).join("/"), size));
  }
  if (files.length === 0) throw errors.inputEmpty(`${label} '${absolute}' holds no files.`);
  return { kind: "folder", absolute, files, size: files.reduce((sum, file) => sum + file.size, 0) };
}

/** Adds the files under `dir` to `found`, in path order; stops once there are more than the limit. */
async function walk(dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (found.length > MAX_UPLOAD_FILES) return;
    const path = join(dir, entry.name);
    const info = entry.isSymbolicLink() ? await stat(path) : entry;
    if (info.isDirectory()) {
      if (!SKIPPED.has(entry.name)) await walk(path, found);
    } else if (info.isFile()) {
      found.push(path);
    }
  }
}

function isFileSystemError(thrown: unknown): thrown is NodeJS.ErrnoException & { code: string } {
  return (
    thrown instanceof Error && "code" in thrown && typeof thrown.code === "string" && "syscall" in thrown
  );
}

async function hashed(absolute: string, path: string, size: number): Promise<LocalFile> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(absolute)) hash.update(chunk);
  return { path, absolute, size, sha256: hash.digest("hex") };
}
