import type { BlobItem, ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { isNotFound, storageFailure } from "../../storage/storage-error.js";
import type { BlobStore } from "./blob-access.js";
import type { DataType } from "./input-reference.js";
import { compareNames, type InputItem, type ResolvedInput } from "./resolved-input.js";

export interface BlobPathRequest {
  container: ContainerClient;
  store: BlobStore;
  containerName: string;
  /** Relative to the container; "" or a trailing `/` means a folder. */
  path: string;
  /** How the input is named in messages. */
  display: string;
  declared?: DataType;
}

/**
 * Resolves a path in a container: a file when a blob with exactly that name exists (and is not a
 * folder marker), else a folder listed recursively (nested folders included, markers skipped).
 */
export async function resolveBlobPath(request: BlobPathRequest): Promise<ResolvedInput> {
  const { path, display, declared } = request;
  const folderOnly = path === "" || path.endsWith("/");
  if (folderOnly && declared === "uri_file") {
    throw errors.inputTypeMismatch(`Input '${display}' is declared uri_file but names a folder.`);
  }
  const exact = folderOnly ? undefined : await exactBlob(request);
  const file = exact === "folder-marker" ? undefined : exact;
  if (file && declared !== "uri_folder") {
    const slash = path.lastIndexOf("/");
    return {
      display,
      type: "uri_file",
      root: blobRoot(request, path.slice(0, slash + 1)),
      items: [file],
    };
  }
  const prefix = folderOnly ? path : `${path}/`;
  const { items, markers } = await listFolder(request, prefix);
  if (items.length > 0) {
    if (declared === "uri_file") {
      throw errors.inputTypeMismatch(
        `Input '${display}' is declared uri_file but is a folder of ${items.length} files.`,
      );
    }
    return { display, type: "uri_folder", root: blobRoot(request, prefix), items };
  }
  if (file) {
    throw errors.inputTypeMismatch(`Input '${display}' is declared uri_folder but is a file.`);
  }
  if (markers > 0 || exact === "folder-marker")
    throw errors.inputEmpty(`Input folder '${display}' holds no files.`);
  throw errors.inputNotFound(
    folderOnly
      ? `Input '${display}' was not found: no files under '${prefix}' in container '${request.containerName}'.`
      : `Input '${display}' was not found: no file '${path}' and no folder '${prefix}' in container '${request.containerName}'.`,
  );
}

function blobRoot(request: BlobPathRequest, prefix: string): ResolvedInput["root"] {
  return { kind: "blob", store: request.store, container: request.containerName, prefix };
}

/** The blob named exactly by the path: a file item, a folder marker, or nothing. */
async function exactBlob(request: BlobPathRequest): Promise<InputItem | "folder-marker" | undefined> {
  try {
    const properties = await request.container.getBlobClient(request.path).getProperties();
    if (isFolderMarker(request.path, properties.metadata)) return "folder-marker";
    const name = request.path.slice(request.path.lastIndexOf("/") + 1);
    return { name, size: properties.contentLength ?? 0, etag: properties.etag };
  } catch (thrown) {
    if (isNotFound(thrown)) return undefined;
    throw unreachable(request, thrown);
  }
}

async function listFolder(
  request: BlobPathRequest,
  prefix: string,
): Promise<{ items: InputItem[]; markers: number }> {
  const items: InputItem[] = [];
  let markers = 0;
  try {
    for await (const blob of request.container.listBlobsFlat({ prefix, includeMetadata: true })) {
      if (isFolderMarker(blob.name, blob.metadata)) markers += 1;
      else items.push(toItem(blob, prefix));
    }
  } catch (thrown) {
    if (isNotFound(thrown)) {
      throw errors.inputNotFound(
        `Input '${request.display}' was not found: container '${request.containerName}' does not exist.`,
      );
    }
    throw unreachable(request, thrown);
  }
  items.sort((a, b) => compareNames(a.name, b.name));
  return { items, markers };
}

function toItem(blob: BlobItem, prefix: string): InputItem {
  return {
    name: blob.name.slice(prefix.length),
    size: blob.properties.contentLength ?? 0,
    etag: blob.properties.etag,
  };
}

/** Zero-byte placeholders that tools and hierarchical namespaces create for folders. */
function isFolderMarker(name: string, metadata: Record<string, string> | undefined): boolean {
  if (name.endsWith("/")) return true;
  return Object.entries(metadata ?? {}).some(
    ([key, value]) => key.toLowerCase() === "hdi_isfolder" && value.toLowerCase() === "true",
  );
}

function unreachable(request: BlobPathRequest, thrown: unknown) {
  const { status, code } = storageFailure(thrown);
  const answer = [status, code].filter((part) => part !== undefined).join(" ") || "no answer";
  return errors.inputUnreachable(
    `Input '${request.display}' could not be read from container '${request.containerName}' (${answer}).`,
    thrown,
  );
}
