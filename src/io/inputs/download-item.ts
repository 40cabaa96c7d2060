import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { errors } from "../../errors.js";
import { isConditionFailure, isNotFound } from "../../storage/storage-error.js";
import type { BlobAccess } from "./blob-access.js";
import { getWholeBlob } from "./blob-get.js";
import { fetchInputUrl } from "./input-fetch.js";
import type { InputItem, InputRoot } from "./resolved-input.js";
import { checkInputHost } from "./url-policy.js";

export interface DownloadItemRequest {
  root: InputRoot;
  item: InputItem;
  /** Local file to write; written through a temporary name, so it is complete or absent. */
  target: string;
  access: BlobAccess;
}

/**
 * Downloads one input item to a local file, insisting on the version seen at resolution: a blob
 * changed or removed since then fails with `InputChanged` / `InputNotFound` naming it. URLs and
 * public containers are fetched under `access.urlPolicy`, checked again at download time.
 */
export async function downloadItem(request: DownloadItemRequest): Promise<void> {
  const { root, item, target } = request;
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.${Date.now().toString(36)}.partial`;
  try {
    if (root.kind === "blob") await downloadBlob(request, partial);
    else await downloadUrl(root.url, item, partial, request.access);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * Reads one input item into memory, with the same checks as {@link downloadItem}: for items small
 * enough to hand to a scoring worker as bytes, which saves writing a local file the worker reads
 * back (and the stream to file the SDK's `downloadToFile` sets up). A blob is read with one plain
 * signed GET ({@link getWholeBlob}); only when that does not answer the whole blob does the SDK ask.
 */
export async function fetchItemBytes(request: Omit<DownloadItemRequest, "target">): Promise<Uint8Array> {
  const { root, item } = request;
  if (root.kind === "blob") {
    const { container, blobName } = await containerOf(root, item, request.access);
    // one plain signed GET when it answers the whole blob; the SDK otherwise (its retries and errors)
    const whole = await getWholeBlob(container, blobName, { ifMatch: item.etag });
    if (whole) return whole;
    const blob = container.getBlobClient(blobName);
    try {
      const response = await blob.download(0, undefined, {
        conditions: item.etag === undefined ? undefined : { ifMatch: item.etag },
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(chunk as Buffer);
      return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
    } catch (thrown) {
      throw blobFailure(thrown, item, blobName, root.container);
    }
  }
  const response = await urlResponse(root.url, item, request.access);
  return new Uint8Array(await response.arrayBuffer());
}

/** The container client and blob name of an item, after checking a public container's host against the URL policy. */
async function containerOf(root: Extract<InputRoot, { kind: "blob" }>, item: InputItem, access: BlobAccess) {
  const blobName = `${root.prefix}${item.name}`;
  if (root.store.kind === "public") await checkInputHost(new URL(root.store.url), access.urlPolicy);
  return { container: access.container(root.store, root.container), blobName };
}

async function downloadBlob(request: DownloadItemRequest, partial: string): Promise<void> {
  const { root, item } = request;
  if (root.kind !== "blob") return;
  const { container, blobName } = await containerOf(root, item, request.access);
  const blob = container.getBlobClient(blobName);
  try {
    await blob.downloadToFile(partial, 0, undefined, {
      conditions: item.etag === undefined ? undefined : { ifMatch: item.etag },
    });
  } catch (thrown) {
    throw blobFailure(thrown, item, blobName, root.container);
  }
}

/** An Azure Storage failure of reading an input blob, as the error invokers see. */
function blobFailure(thrown: unknown, item: InputItem, blobName: string, container: string): unknown {
  if (isConditionFailure(thrown)) {
    return errors.inputChanged(
      `Input file '${item.name}' (blob '${blobName}' in '${container}') changed after the job was planned.`,
    );
  }
  if (isNotFound(thrown)) {
    return errors.inputNotFound(
      `Input file '${item.name}' (blob '${blobName}' in '${container}') was removed after the job was planned.`,
    );
  }
  return thrown;
}

async function downloadUrl(url: string, item: InputItem, partial: string, access: BlobAccess): Promise<void> {
  const response = await urlResponse(url, item, access);
  await pipeline(
    Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    createWriteStream(partial),
  );
}

/** The answer of an input URL, checked: fetched, and of the version seen at planning. */
async function urlResponse(url: string, item: InputItem, access: BlobAccess): Promise<Response> {
  const response = await fetchInputUrl(url, { policy: access.urlPolicy });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw errors.inputUnreachable(
      `Input file '${item.name}' could not be downloaded (HTTP ${response.status}).`,
    );
  }
  const etag = response.headers.get("etag");
  if (item.etag !== undefined && etag !== null && etag !== item.etag) {
    await response.body.cancel();
    throw errors.inputChanged(`Input file '${item.name}' changed after the job was planned (ETag ${etag}).`);
  }
  return response;
}
