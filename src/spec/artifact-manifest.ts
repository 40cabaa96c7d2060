import { createHash } from "node:crypto";
import { z } from "zod";
import { errors } from "../errors.js";
import { WORKSPACE_ARTIFACT_STORE } from "./resources.js";

/** One file of an artifact (a model folder, a code folder), by its path relative to the folder. */
export interface ArtifactFile {
  path: string;
  content: Buffer | Uint8Array;
}

export const manifestSchema = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.array(
    z.strictObject({
      path: z.string().refine(isCanonicalPath, "must be a canonical relative path"),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
    }),
  ),
});
/** What an artifact holds; stored beside its folder as `sha256/<hash>.json`. */
export type ArtifactManifest = z.infer<typeof manifestSchema>;

const URI = new RegExp(`^azureml://datastores/${WORKSPACE_ARTIFACT_STORE}/paths/sha256/([0-9a-f]{64})/?$`);

/** The blob-name prefix of an artifact's files in the artifacts container. */
export const artifactFolder = (hash: string): string => `sha256/${hash}/`;
/** The blob name of an artifact's manifest. */
export const manifestBlob = (hash: string): string => `sha256/${hash}.json`;

/** The URI an artifact is known by: a folder of the built-in artifact datastore. */
export function artifactUri(hash: string): string {
  return `azureml://datastores/${WORKSPACE_ARTIFACT_STORE}/paths/${artifactFolder(hash)}`;
}

/** The hash an artifact URI names; `InvalidReference` when it is not an artifact URI. */
export function artifactHash(uri: string): string {
  const hash = URI.exec(uri)?.[1];
  if (!hash) {
    throw errors.invalidReference(
      `'${uri}' is not an artifact URI (azureml://datastores/${WORKSPACE_ARTIFACT_STORE}/paths/sha256/<hash>/).`,
    );
  }
  return hash;
}

/**
 * The canonical form of a relative path (`/` separators, no `.` segments); `InvalidSpec` for an
 * absolute path, a `..` segment, an empty one or a control character.
 */
export function normalizeArtifactPath(path: string): string {
  const unified = path.replaceAll("\\", "/");
  const segments = unified.split("/").filter((segment) => segment !== ".");
  const reason = pathProblem(unified, segments);
  if (reason) {
    throw errors.invalidSpec(`Artifact file path '${path}' ${reason}; give paths relative to the folder.`, [
      { path, message: reason },
    ]);
  }
  return segments.join("/");
}

function pathProblem(unified: string, segments: string[]): string | undefined {
  if (/^\/|^[a-zA-Z]:/.test(unified)) return "is absolute";
  if (/\p{Cc}/u.test(unified)) return "holds a control character";
  if (segments.includes("..")) return "leaves its folder ('..')";
  if (segments.length === 0 || segments.includes("")) return "has an empty segment";
  return undefined;
}

function isCanonicalPath(path: string): boolean {
  const segments = path.split("/");
  return (
    !path.includes("\\") && segments.every((s) => s !== ".") && pathProblem(path, segments) === undefined
  );
}

/** The sha256 of some content, as hex. */
export function contentHash(content: Buffer | Uint8Array | string): string {
  return createHash("sha256").update(content).digest("hex");
}

/** One file of a manifest, by its sha256 and size, as read or as an uploader declares it. */
export interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
}

/**
 * The manifest of a set of files. The artifact hash is the sha256 of the lines
 * `<path>\n<sha256 of content>\n`, over the normalized paths in sorted order: the same folder
 * always hashes the same, whatever order the files come in.
 */
export function manifestOf(entries: readonly ManifestEntry[]): ArtifactManifest {
  if (entries.length === 0) throw errors.invalidSpec("An artifact must hold at least one file.", []);
  const seen = new Set<string>();
  const files = entries.map((entry) => {
    const path = normalizeArtifactPath(entry.path);
    if (seen.has(path)) {
      throw errors.invalidSpec(`Artifact file path '${path}' is given twice.`, [
        { path, message: "duplicate" },
      ]);
    }
    seen.add(path);
    return { path, sha256: entry.sha256, size: entry.size };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = contentHash(files.map((file) => `${file.path}\n${file.sha256}\n`).join(""));
  return { hash, files };
}

/** The manifest of files in memory, with their contents by normalized path. */
export function buildManifest(files: readonly ArtifactFile[]): {
  manifest: ArtifactManifest;
  contents: Map<string, Buffer | Uint8Array>;
} {
  const manifest = manifestOf(
    files.map((file) => ({
      path: file.path,
      sha256: contentHash(file.content),
      size: file.content.byteLength,
    })),
  );
  const contents = new Map(files.map((file) => [normalizeArtifactPath(file.path), file.content]));
  return { manifest, contents };
}
