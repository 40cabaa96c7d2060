import type { BlobItem, ContainerClient } from "@azure/storage-blob";
import type { Environment } from "../../config.js";
import { ensureError } from "../../errors.js";
import { coreLog } from "../functions-core.js";
import type { RegisteredFunction } from "../registered-function.js";
import { type BlobPathPattern, compileBlobPath } from "./blob-path.js";
import { type BlobReceipt, type BlobReceipts, receiptKey } from "./blob-receipts.js";

/** One blobTrigger function with what the watcher needs to scan its container. */
export interface WatchedFunction {
  fn: RegisteredFunction;
  pattern: BlobPathPattern;
  container: ContainerClient;
}

export interface BlobWatcherOptions {
  watched: WatchedFunction[];
  receipts: BlobReceipts;
  /** Invokes the function with the blob's bytes and its trigger metadata. */
  invoke(fn: RegisteredFunction, blob: Buffer, metadata: Record<string, unknown>): Promise<unknown>;
  /** Pause between background scans; 0 disables background scanning (scan with `pollOnce`). */
  pollIntervalMs: number;
  /** Attempts per blob version before it is given up as poison (Functions: 5). */
  maxAttempts: number;
  /** Blobs processed at once per poll. */
  concurrency: number;
}

/** Polls the containers of blobTrigger functions; `pollOnce` runs one scan to its end. */
export interface BlobWatcher {
  start(): Promise<void>;
  pollOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Compiles the path of a blobTrigger registration, resolving `%SETTING%` parts from `env`. */
export function blobPathOf(fn: RegisteredFunction, env: Environment): BlobPathPattern {
  return compileBlobPath(fn.trigger.path ?? "", env);
}

/**
 * Watches blob containers by polling: every blob version (name + ETag) without a `done` or
 * `poison` receipt triggers its function; the receipt is written after the function ran, so a
 * crash mid-run runs it again (at least once), and receipts in Table Storage survive restarts.
 */
export function createBlobWatcher(options: BlobWatcherOptions): BlobWatcher {
  const receipts = new Map<string, Map<string, BlobReceipt>>();
  let stopped = true;
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let scanning: Promise<void> = Promise.resolve();

  const scan = async () => {
    for (const watched of options.watched) {
      let known = receipts.get(watched.fn.name);
      if (!known) {
        known = await options.receipts.load(watched.fn.name);
        receipts.set(watched.fn.name, known);
      }
      const due = await dueBlobs(watched, known);
      let next = 0;
      const worker = async () => {
        for (let item = due[next++]; item !== undefined; item = due[next++]) {
          await fire(watched, item, known);
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency, due.length) }, worker));
    }
  };

  const pollOnce = () => {
    scanning = scanning.then(scan, scan);
    return scanning;
  };

  const fire = async (watched: WatchedFunction, item: DueBlob, known: Map<string, BlobReceipt>) => {
    const { blob, params } = item;
    const key = receiptKey(watched.pattern.container, blob.name);
    const etag = quotedETag(blob.properties.etag);
    const previous = known.get(key);
    const attempts = (previous?.etag === etag ? previous.attempts : 0) + 1;
    const client = watched.container.getBlobClient(blob.name);
    let data: Buffer;
    try {
      data = await client.downloadToBuffer(0, undefined, { conditions: { ifMatch: etag } });
    } catch (thrown) {
      coreLog({
        level: "warning",
        category: "system",
        functionName: watched.fn.name,
        message: `Blob '${blob.name}' could not be read (changed or deleted since listed?): ${ensureError(thrown).message}`,
      });
      return;
    }
    let status: BlobReceipt["status"] = "done";
    try {
      await options.invoke(watched.fn, data, {
        ...params,
        BlobTrigger: `${watched.pattern.container}/${blob.name}`,
        Uri: client.url,
        Properties: blobProperties(blob),
        Metadata: blob.metadata ?? {},
      });
    } catch (thrown) {
      status = attempts >= options.maxAttempts ? "poison" : "retry";
      coreLog({
        level: "error",
        category: "system",
        functionName: watched.fn.name,
        message: `Blob trigger '${watched.fn.name}' failed on '${blob.name}' (attempt ${attempts}/${options.maxAttempts}): ${ensureError(thrown).message}`,
      });
    }
    const receipt: BlobReceipt = {
      container: watched.pattern.container,
      blobName: blob.name,
      etag,
      status,
      attempts,
    };
    await options.receipts.save(watched.fn.name, receipt);
    known.set(key, receipt);
  };

  const loop = async () => {
    while (!stopped) {
      try {
        await pollOnce();
      } catch (thrown) {
        coreLog({
          level: "error",
          category: "system",
          message: `Blob trigger scan failed: ${ensureError(thrown).message}`,
        });
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };

  return {
    async start() {
      if (!stopped || options.watched.length === 0 || options.pollIntervalMs <= 0) return;
      stopped = false;
      running = loop();
    },
    pollOnce,
    async stop() {
      stopped = true;
      wake?.();
      await running;
      running = undefined;
    },
  };
}

interface DueBlob {
  blob: BlobItem;
  params: Record<string, string>;
}

async function dueBlobs(watched: WatchedFunction, known: Map<string, BlobReceipt>): Promise<DueBlob[]> {
  const due: DueBlob[] = [];
  try {
    const listing = watched.container.listBlobsFlat({
      prefix: watched.pattern.prefix,
      includeMetadata: true,
    });
    for await (const blob of listing) {
      const params = watched.pattern.match(blob.name);
      if (!params) continue;
      const receipt = known.get(receiptKey(watched.pattern.container, blob.name));
      if (receipt && receipt.etag === quotedETag(blob.properties.etag) && receipt.status !== "retry")
        continue;
      due.push({ blob, params });
    }
  } catch (thrown) {
    if (isContainerMissing(thrown)) return [];
    throw thrown;
  }
  return due;
}

function blobProperties(blob: BlobItem): Record<string, unknown> {
  const p = blob.properties;
  return {
    BlobType: p.blobType,
    ContentType: p.contentType,
    ContentEncoding: p.contentEncoding,
    ContentLanguage: p.contentLanguage,
    ContentMD5: p.contentMD5 ? Buffer.from(p.contentMD5).toString("base64") : undefined,
    ContentLength: p.contentLength,
    ETag: quotedETag(p.etag),
    LastModified: p.lastModified.toISOString(),
    CreatedOn: p.createdOn?.toISOString(),
  };
}

function isContainerMissing(thrown: unknown): boolean {
  return typeof thrown === "object" && thrown !== null && "statusCode" in thrown && thrown.statusCode === 404;
}

/** ETags as blob properties carry them, in quotes (listings give them bare). */
function quotedETag(etag: string | undefined): string {
  if (!etag) return "";
  return etag.startsWith('"') || etag.startsWith("W/") ? etag : `"${etag}"`;
}
