import { BatchfnError } from "../../errors.js";
import type { ApiRequest, ApiResponse } from "../api/api-client.js";
import type { CliContext } from "../cli-context.js";
import type { UploadScope } from "./local-paths.js";

/**
 * Sends a request built from a document whose local paths `prepare` uploads. When the server
 * answers that an artifact named by one of those uploads does not exist (the cache of known
 * artifacts was stale: the server's storage was reset), they are forgotten, uploaded again by a
 * second `prepare`, and the request is sent once more.
 */
export async function sendWithUploads(
  context: CliContext,
  prepare: (scope: UploadScope) => Promise<ApiRequest>,
): Promise<ApiResponse> {
  const first: UploadScope = { uploader: context.uploader, hashes: [] };
  const request = await prepare(first);
  try {
    return await context.api.send(request);
  } catch (thrown) {
    if (!namesMissingArtifact(thrown, first.hashes)) throw thrown;
    context.note("The server does not hold an artifact this machine uploaded before; uploading it again.");
    await context.uploader.forget(first.hashes);
    return context.api.send(await prepare({ uploader: context.uploader, hashes: [] }));
  }
}

function namesMissingArtifact(thrown: unknown, hashes: readonly string[]): boolean {
  return (
    thrown instanceof BatchfnError &&
    (thrown.code === "NotFound" || thrown.code === "InvalidReference") &&
    hashes.some((hash) => thrown.message.includes(hash))
  );
}

/**
 * The resource the server answered, for stdout; its `warnings` (keys accepted but not used, values
 * filled in) go to stderr instead, as az prints warnings.
 */
export function withoutWarnings(context: CliContext, body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("warnings" in body)) return body;
  const { warnings, ...resource } = body;
  if (Array.isArray(warnings)) for (const warning of warnings) context.warn(String(warning));
  return resource;
}
