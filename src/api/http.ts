import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { BatchfnError, ensureError, errors, isConnectionFailure } from "../errors.js";
import { findProtoKey } from "../spec/names.js";

/** The signature of every batchfn HTTP handler. */
export type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** Largest JSON or YAML body accepted (artifact uploads have their own limit). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    jsonBody: body,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  };
}

/**
 * The one place an error becomes a response: `{"error": {"code", "message", "details"}}`; a 401
 * also carries the `WWW-Authenticate: Bearer` challenge. Storage that cannot be reached is a 503
 * `StorageUnavailable` with `Retry-After`, its address and socket error kept in the log only.
 */
export function errorResponse(thrown: unknown, context?: InvocationContext): HttpResponseInit {
  if (!(thrown instanceof BatchfnError) && isConnectionFailure(thrown)) {
    const error = ensureError(thrown);
    context?.warn(`Storage unreachable: ${error.message}`);
    return json(503, errors.storageUnavailable(thrown).toBody(), { "retry-after": "5" });
  }
  if (thrown instanceof BatchfnError) {
    const challenge = thrown.status === 401 ? { "www-authenticate": 'Bearer realm="batchfn"' } : undefined;
    return json(thrown.status, thrown.toBody(), challenge);
  }
  const error = ensureError(thrown);
  context?.error(`Unhandled error: ${error.stack ?? error.message}`);
  return json(500, {
    error: { code: "InternalError", message: `batchfn failed unexpectedly: ${error.message}`, details: [] },
  });
}

/** Wraps a handler so anything it throws becomes an error response. */
export function handle(handler: Handler): Handler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (thrown) {
      return errorResponse(thrown, context);
    }
  };
}

const JSON_TYPES = ["application/json"];
const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

/**
 * Reads a JSON body, or YAML where `yaml` is allowed (documents uploaded as files). Refuses other
 * content types (415), bodies over `maxBytes` (413), empty bodies, text that is not UTF-8, malformed
 * text and a `__proto__` key anywhere (400).
 */
export async function readBody(
  request: HttpRequest,
  options: { yaml?: boolean; maxBytes?: number; optional?: boolean } = {},
): Promise<unknown> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const type =
    (request.headers.get("content-type") ?? "application/json").split(";")[0]?.trim().toLowerCase() ?? "";
  const accepted = options.yaml ? [...JSON_TYPES, ...YAML_TYPES] : JSON_TYPES;
  if (!accepted.includes(type)) throw errors.unsupportedMediaType(type, accepted);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw errors.payloadTooLarge(maxBytes);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw errors.payloadTooLarge(maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw errors.invalidEncoding();
  }
  if (text.trim() === "") {
    if (options.optional) return undefined;
    throw errors.emptyBody();
  }
  const parsed = parseText(text, YAML_TYPES.includes(type));
  const proto = findProtoKey(parsed);
  if (proto !== undefined) throw errors.forbiddenKey(proto);
  return parsed;
}

function parseText(text: string, yaml: boolean): unknown {
  if (yaml) {
    try {
      return parseYaml(text);
    } catch (thrown) {
      throw errors.invalidYaml(
        thrown instanceof YAMLParseError ? thrown.message : ensureError(thrown).message,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (thrown) {
    throw errors.invalidJson(ensureError(thrown).message);
  }
}

/** The public base URL of the app as the caller reached it (`https://app.azurewebsites.net`). */
export function baseUrl(request: HttpRequest): string {
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

/** A route parameter that the route template guarantees. */
export function param(request: HttpRequest, name: string): string {
  return request.params[name] ?? "";
}
