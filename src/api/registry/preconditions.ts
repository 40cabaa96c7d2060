import type { HttpRequest } from "@azure/functions";
import { BatchfnError, errors } from "../../errors.js";
import type { RegistryRecord } from "../../registry/registry.js";

/**
 * The `If-Match` precondition of a request: `undefined` when absent, `"*"` for any version, else
 * the ETag the caller read (sent back as it came in the `ETag` header).
 */
export function readIfMatch(request: HttpRequest): string | undefined {
  const value = request.headers.get("if-match")?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Checks `If-Match` against the resource as read: `NotFound` when it names a resource that does not
 * exist, `ConcurrentUpdate` (409) when the ETag is stale. Returns the ETag to pass on to the
 * registry's update, which checks it again at the write.
 */
export function checkIfMatch(
  ifMatch: string | undefined,
  existing: RegistryRecord<unknown> | undefined,
  kind: string,
  name: string,
): string | undefined {
  if (ifMatch === undefined) return undefined;
  if (!existing) throw errors.notFound(kind, name);
  if (ifMatch === "*") return undefined;
  if (ifMatch !== existing.etag) throw errors.concurrentUpdate(kind, name);
  return ifMatch;
}

/** The record a read returns, or `undefined` when the registry says `NotFound`. */
export async function findRecord<T>(
  read: Promise<RegistryRecord<T>>,
): Promise<RegistryRecord<T> | undefined> {
  try {
    return await read;
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "NotFound") return undefined;
    throw thrown;
  }
}
