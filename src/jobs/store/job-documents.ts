import { randomUUID } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { isConditionFailure, isNotFound } from "../../storage/storage-error.js";

/**
 * Where a {@link JobStore} keeps its documents: small named texts (JSON) in the jobs container, or
 * in memory. The store decides the names and the schemas; this only reads and writes.
 */
export interface JobDocuments {
  /** Tells stores apart (process-wide caches key on it). */
  readonly id: string;
  /** The document's text; `undefined` when it does not exist. */
  read(name: string): Promise<string | undefined>;
  /**
   * Writes a document. With `createOnly`, an existing one is kept and `false` returned. `json` marks
   * it `application/json` (as a blob's content type).
   */
  write(name: string, text: string, options?: { createOnly?: boolean; json?: boolean }): Promise<boolean>;
  exists(name: string): Promise<boolean>;
  /** Creates the place documents go when missing (the container). */
  ensure(): Promise<void>;
}

/** The jobs container (config.containers.jobs): one block blob per document. */
export function blobJobDocuments(jobs: ContainerClient): JobDocuments {
  return {
    id: jobs.url,
    async read(name) {
      try {
        return (await jobs.getBlobClient(name).downloadToBuffer()).toString("utf8");
      } catch (thrown) {
        if (isNotFound(thrown)) return undefined;
        throw thrown;
      }
    },
    async write(name, text, options = {}) {
      try {
        await jobs.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
          ...(options.createOnly ? { conditions: { ifNoneMatch: "*" } } : {}),
          ...(options.json ? { blobHTTPHeaders: { blobContentType: "application/json" } } : {}),
        });
        return true;
      } catch (thrown) {
        if (options.createOnly && isConditionFailure(thrown)) return false;
        throw thrown;
      }
    },
    exists: (name) => jobs.getBlobClient(name).exists(),
    async ensure() {
      await jobs.createIfNotExists();
    },
  };
}

/** Documents in this process's memory: for tests of the activities without a storage emulator. */
export function memoryJobDocuments(): JobDocuments & { names(): string[] } {
  const documents = new Map<string, string>();
  return {
    id: `memory:${randomUUID()}`,
    read: async (name) => documents.get(name),
    async write(name, text, options = {}) {
      if (options.createOnly && documents.has(name)) return false;
      documents.set(name, text);
      return true;
    },
    exists: async (name) => documents.has(name),
    async ensure() {},
    names: () => [...documents.keys()].sort(),
  };
}
