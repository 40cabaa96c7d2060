import { createHash } from "node:crypto";
import { z } from "zod";
import { errors } from "../errors.js";
import { WORKSPACE_ARTIFACT_STORE } from "./datastores.js";

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

/**
 * The manifest of a set of files. The artifact hash is the sha256 of the lines
 * `<path>\n<sha256 of content>\n`, over the normalized paths in sorted order: the same folder
 * always hashes the same, whatever order the files come in.
 */
export function buildManifest(files: readonly ArtifactFile[]): {
  manifest: ArtifactManifest;
  contents: Map<string, Buffer | Uint8Array>;
} {
  if (files.length === 0) throw errors.invalidSpec("An artifact must hold at least one file.", []);
  const contents = new Map<string, Buffer | Uint8Array>();
  for (const file of files) {
    const path = normalizeArtifactPath(file.path);
    if (contents.has(path)) {
      throw errors.invalidSpec(`Artifact file path '${path}' is given twice.`, [
        { path, message: "duplicate" },
      ]);
    }
    contents.set(path, file.content);
  }
  const entries = [...contents.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => ({ path, sha256: contentHash(content), size: content.byteLength }));
  const hash = contentHash(entries.map((entry) => `${entry.path}\n${entry.sha256}\n`).join(""));
  return { manifest: { hash, files: entries }, contents };
}
