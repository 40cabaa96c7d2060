import { errors } from "../../errors.js";
import type { BlobAccess } from "./blob-access.js";
import { resolveBlobPath } from "./blob-path-input.js";
import { datastoreUri } from "./datastore-path.js";
import { type InputCatalog, locateDatastore } from "./input-catalog.js";
import { type DataType, type InputReference, type JobInput, parseInputReference } from "./input-reference.js";
import type { ResolvedInput } from "./resolved-input.js";
import { resolveUrlInput } from "./url-input.js";

export interface ResolveInputOptions {
  catalog: InputCatalog;
  access: BlobAccess;
  /**
   * URL inputs may use `http:` and loopback or private addresses (BATCHFN_ALLOW_PRIVATE_URL_INPUTS);
   * default false. Downloads follow `access.urlPolicy`.
   */
  allowHttp?: boolean;
}

/**
 * Turns a job input into a sorted list of items, before any work is scheduled. Fails with
 * `InvalidInput`, `DatastoreNotFound`, `InputNotFound`, `InputEmpty` or `InputTypeMismatch`, each
 * message naming the input.
 */
export async function resolveInput(input: JobInput, options: ResolveInputOptions): Promise<ResolvedInput> {
  const reference = parseInputReference(input);
  if (reference.kind !== "data") return resolveReference(reference, input.type, displayOf(input), options);
  const asset = await options.catalog.getDataAsset(reference.name, reference.version);
  if (!asset) {
    throw errors.inputNotFound(`Data asset '${reference.name}:${reference.version}' was not found.`);
  }
  const target = parseInputReference({ uri: asset.path });
  if (target.kind === "data") {
    throw errors.invalidInput(
      `Data asset '${asset.name}:${asset.version}' points at another data asset ('${asset.path}'); its path must be a datastore URI or a URL.`,
    );
  }
  const display = `data asset ${asset.name}:${asset.version} (${asset.path})`;
  return resolveReference(target, input.type ?? asset.type, display, options);
}

async function resolveReference(
  reference: Exclude<InputReference, { kind: "data" }>,
  declared: DataType | undefined,
  display: string,
  options: ResolveInputOptions,
): Promise<ResolvedInput> {
  if (reference.kind === "url") {
    return resolveUrlInput({ url: reference.url, declared, allowHttp: options.allowHttp });
  }
  const target = await locateDatastore(options.catalog, options.access, reference.datastore);
  return resolveBlobPath({
    container: options.access.container(target.store, target.container),
    store: target.store,
    containerName: target.container,
    path: reference.path,
    display,
    declared,
  });
}

function displayOf(input: JobInput): string {
  return "uri" in input ? input.uri : datastoreUri({ datastore: input.datastore, path: input.path });
}
