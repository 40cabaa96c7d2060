import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ContainerClient } from "@azure/storage-blob";
import { errors } from "../errors.js";
import {
  type ArtifactFile,
  type ArtifactManifest,
  artifactFolder,
  artifactHash,
  artifactUri,
  buildManifest,
  type ManifestEntry,
  manifestBlob,
  manifestOf,
  manifestSchema,
  normalizeArtifactPath,
} from "../spec/artifact-manifest.js";
import { storageStatus } from "./table-store.js";

/** What `putArtifact` did. */
export interface PutArtifactResult {
  /** `azureml://datastores/workspaceartifactstore/paths/sha256/<hash>/` */
  uri: string;
  hash: string;
  /** How many files were uploaded now (or repaired); 0 when the same content was stored intact before. */
  uploaded: number;
}

/** A file uploaded under a staging prefix of the artifacts container, with the sha256 its uploader declares. */
export interface StagedFile {
  path: string;
  sha256: string;
}

/**
 * Content-addressed folders (model files, scoring code) in the artifacts container: the files of
 * an artifact live under `sha256/<hash>/<relative path>`, so identical content is stored once.
 * A manifest `sha256/<hash>.json`, written last, marks an artifact as complete.
 */
export interface ArtifactStore {
  /**
   * Stores files as an artifact. When the artifact exists, checks each stored file against the
   * manifest and rewrites any that changed or went missing (a repair), uploading nothing else.
   */
  putArtifact(files: ArtifactFile[]): Promise<PutArtifactResult>;
  /** Downloads an artifact's files under `localDir`, checking their hashes; returns their local paths. */
  downloadArtifact(uri: string, localDir: string): Promise<string[]>;
  /**
   * Makes an artifact of files uploaded under `prefix` (`uploads/<id>/`) of the artifacts
   * container: checks every file against its declared sha256 (`UploadMismatch` listing each file
   * missing or different, and nothing written), copies them into the artifact's folder, writes the
   * manifest, then deletes everything under `prefix`.
   */
  commitStaged(prefix: string, files: StagedFile[]): Promise<PutArtifactResult>;
}

const PARALLEL = 8;

/** Builds the artifact store over the artifacts container (which must exist). */
export function createArtifactStore(container: ContainerClient): ArtifactStore {
  const uploadOnce = async (name: string, content: Buffer | Uint8Array): Promise<boolean> => {
    try {
      await container.getBlockBlobClient(name).uploadData(content, { conditions: { ifNoneMatch: "*" } });
      return true;
    } catch (thrown) {
      if (storageStatus(thrown) === 409) return false;
      throw thrown;
    }
  };

  const readManifest = async (hash: string, uri: string): Promise<ArtifactManifest> => {
    let text: Buffer;
    try {
      text = await container.getBlobClient(manifestBlob(hash)).downloadToBuffer();
    } catch (thrown) {
      if (storageStatus(thrown) === 404) throw errors.notFound("Artifact", uri);
      throw thrown;
    }
    const manifest = manifestSchema.safeParse(parseJson(text.toString("utf8")));
    if (!manifest.success || manifest.data.hash !== hash) {
      throw errors.corruptRecord(`The manifest of artifact '${uri}' is not valid.`);
    }
    return manifest.data;
  };

  /** Streams a blob to a file (any size, constant memory) and returns the sha256 of what it wrote. */
  const downloadHashing = async (name: string, target: string): Promise<string> => {
    const response = await container.getBlobClient(name).download(0, undefined, { maxRetryRequests: 3 });
    const body = response.readableStreamBody;
    if (!body) throw errors.corruptRecord(`Blob '${name}' of the artifacts container has no content stream.`);
    const hash = createHash("sha256");
    await pipeline(
      body,
      async function* (source: AsyncIterable<string | Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(target),
    );
    return hash.digest("hex");
  };

  /** The sha256 of a stored blob, or undefined when it does not exist. */
  const storedHash = async (name: string): Promise<string | undefined> => {
    try {
      const response = await container.getBlobClient(name).download(0, undefined, { maxRetryRequests: 3 });
      const hash = createHash("sha256");
      for await (const chunk of response.readableStreamBody ?? []) hash.update(chunk);
      return hash.digest("hex");
    } catch (thrown) {
      if (storageStatus(thrown) === 404) return undefined;
      throw thrown;
    }
  };

  /**
   * The files of a complete artifact that no longer match its manifest (changed or deleted by a
   * write that should never have happened): a re-upload of the same content rewrites them.
   */
  const damaged = async (hash: string, entries: readonly ManifestEntry[]): Promise<ManifestEntry[]> => {
    const checked = await mapLimit(entries, PARALLEL, async (entry) =>
      (await storedHash(`${artifactFolder(hash)}${entry.path}`)) === entry.sha256 ? undefined : entry,
    );
    return checked.filter((entry) => entry !== undefined);
  };

  /** Reads a staged blob as it was when checked (`ifMatch`), so a later overwrite cannot slip in. */
  const stagedStream = async (name: string, etag: string): Promise<NodeJS.ReadableStream> => {
    try {
      const response = await container
        .getBlobClient(name)
        .download(0, undefined, { conditions: { ifMatch: etag }, maxRetryRequests: 3 });
      if (response.readableStreamBody) return response.readableStreamBody;
    } catch (thrown) {
      if (storageStatus(thrown) !== 412) throw thrown;
    }
    throw errors.uploadMismatch(`Staged file '${name}' changed while it was being committed.`, [
      { path: name, message: "changed during the commit" },
    ]);
  };

  /** Checks each staged file against its declared sha256; returns the entries with their ETags. */
  const verifyStaged = async (
    prefix: string,
    files: StagedFile[],
  ): Promise<(ManifestEntry & { etag: string })[]> => {
    const problems: { path: string; message: string }[] = [];
    const checked = await mapLimit(files, PARALLEL, async (file) => {
      const path = normalizeArtifactPath(file.path);
      let properties: { etag?: string; contentLength?: number };
      try {
        properties = await container.getBlobClient(`${prefix}${path}`).getProperties();
      } catch (thrown) {
        if (storageStatus(thrown) !== 404) throw thrown;
        problems.push({ path, message: "was not uploaded" });
        return undefined;
      }
      const etag = properties.etag ?? "";
      const hash = createHash("sha256");
      for await (const chunk of await stagedStream(`${prefix}${path}`, etag)) hash.update(chunk);
      const actual = hash.digest("hex");
      if (actual !== file.sha256.toLowerCase()) {
        problems.push({ path, message: `has sha256 ${actual}, not the declared ${file.sha256}` });
        return undefined;
      }
      return { path, sha256: actual, size: properties.contentLength ?? 0, etag };
    });
    if (problems.length > 0) {
      const list = problems.map((p) => `'${p.path}' ${p.message}`).join("; ");
      throw errors.uploadMismatch(`The staged upload does not match the files declared: ${list}.`, problems);
    }
    return checked.filter((entry) => entry !== undefined);
  };

  return {
    async commitStaged(prefix, files) {
      // The declared paths are checked (relative, no duplicates) before any blob is read.
      manifestOf(files.map((file) => ({ ...file, size: 0 })));
      const entries = await verifyStaged(prefix, files);
      const manifest = manifestOf(entries.map(({ etag: _etag, ...entry }) => entry));
      const { hash } = manifest;
      let uploaded = 0;
      if (await container.getBlobClient(manifestBlob(hash)).exists()) {
        const repairs = await damaged(hash, manifest.files);
        await mapLimit(repairs, PARALLEL, async ({ path }) => {
          const source = entries.find((entry) => entry.path === path);
          if (!source) return;
          const staged = await stagedStream(`${prefix}${path}`, source.etag);
          await container
            .getBlockBlobClient(`${artifactFolder(hash)}${path}`)
            .uploadStream(Readable.from(staged), 4 * 1024 * 1024, 4);
        });
        uploaded = repairs.length;
      } else {
        const copies = await mapLimit(entries, PARALLEL, async ({ path, etag }) => {
          const source = await stagedStream(`${prefix}${path}`, etag);
          const target = container.getBlockBlobClient(`${artifactFolder(hash)}${path}`);
          try {
            await target.uploadStream(Readable.from(source), 4 * 1024 * 1024, 4, {
              conditions: { ifNoneMatch: "*" },
            });
            return true;
          } catch (thrown) {
            if (storageStatus(thrown) === 409) return false;
            throw thrown;
          }
        });
        await uploadOnce(manifestBlob(hash), Buffer.from(JSON.stringify(manifest)));
        uploaded = copies.filter(Boolean).length;
      }
      for await (const blob of container.listBlobsFlat({ prefix })) {
        await container.getBlobClient(blob.name).deleteIfExists();
      }
      return { uri: artifactUri(hash), hash, uploaded };
    },
    async putArtifact(files) {
      const { manifest, contents } = buildManifest(files);
      const { hash } = manifest;
      const result = { uri: artifactUri(hash), hash, uploaded: 0 };
      if (await container.getBlobClient(manifestBlob(hash)).exists()) {
        const repairs = await damaged(hash, manifest.files);
        await mapLimit(repairs, PARALLEL, async ({ path }) => {
          const content = contents.get(path) ?? Buffer.alloc(0);
          await container.getBlockBlobClient(`${artifactFolder(hash)}${path}`).uploadData(content);
        });
        return { ...result, uploaded: repairs.length };
      }
      const uploads = await mapLimit([...contents.entries()], PARALLEL, ([path, content]) =>
        uploadOnce(`${artifactFolder(hash)}${path}`, content),
      );
      await uploadOnce(manifestBlob(hash), Buffer.from(JSON.stringify(manifest)));
      return { ...result, uploaded: uploads.filter(Boolean).length };
    },
    async downloadArtifact(uri, localDir) {
      const hash = artifactHash(uri);
      const manifest = await readManifest(hash, uri);
      const root = resolve(localDir);
      return mapLimit(manifest.files, PARALLEL, async ({ path, sha256 }) => {
        const target = join(root, ...path.split("/"));
        await mkdir(dirname(target), { recursive: true });
        const actual = await downloadHashing(`${artifactFolder(hash)}${path}`, target);
        if (actual !== sha256) {
          await rm(target, { force: true });
          throw errors.corruptRecord(
            `File '${path}' of artifact '${uri}' does not match its sha256 (it was changed in storage); upload the same files again (POST /api/artifacts) to repair it.`,
          );
        }
        return target;
      });
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Maps with at most `limit` calls in flight, keeping the order of `items`. */
async function mapLimit<I, O>(items: readonly I[], limit: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array(items.length);
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) results[index] = await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
