import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
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
  manifestBlob,
  manifestSchema,
} from "./artifact-manifest.js";
import { storageStatus } from "./table-store.js";

/** What `putArtifact` did. */
export interface PutArtifactResult {
  /** `azureml://datastores/workspaceartifactstore/paths/sha256/<hash>/` */
  uri: string;
  hash: string;
  /** How many files were uploaded now; 0 when the same content was stored before. */
  uploaded: number;
}

/**
 * Content-addressed folders (model files, scoring code) in the artifacts container: the files of
 * an artifact live under `sha256/<hash>/<relative path>`, so identical content is stored once.
 * A manifest `sha256/<hash>.json`, written last, marks an artifact as complete.
 */
export interface ArtifactStore {
  putArtifact(files: ArtifactFile[]): Promise<PutArtifactResult>;
  /** Downloads an artifact's files under `localDir`, checking their hashes; returns their local paths. */
  downloadArtifact(uri: string, localDir: string): Promise<string[]>;
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

  return {
    async putArtifact(files) {
      const { manifest, contents } = buildManifest(files);
      const { hash } = manifest;
      const result = { uri: artifactUri(hash), hash, uploaded: 0 };
      if (await container.getBlobClient(manifestBlob(hash)).exists()) return result;
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
          throw errors.corruptRecord(`File '${path}' of artifact '${uri}' does not match its sha256.`);
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
