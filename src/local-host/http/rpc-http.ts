import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { RpcHttpCookie, RpcHttpData } from "../core-types.js";

/** One HTTP request as the host describes it to the worker. */
export interface HttpRequestDescription {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  /** The whole body; omitted in stream mode, where the library reads the proxied request. */
  body?: Buffer;
}

/** Headers as one string per name (repeated values joined with ", "), as the host sends them. */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** Query parameters as one string per name (repeated values joined with ","), as the host sends them. */
export function flatQuery(url: URL): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name of new Set(url.searchParams.keys())) flat[name] = url.searchParams.getAll(name).join(",");
  return flat;
}

/** The `http` typed data of an HTTP trigger invocation. */
export function toRpcHttpRequest(request: HttpRequestDescription): RpcHttpData {
  const data: RpcHttpData = {
    method: request.method,
    url: request.url.href,
    headers: flatHeaders(request.headers),
    query: flatQuery(request.url),
    params: request.params,
  };
  if (request.body && request.body.length > 0) data.body = { bytes: request.body };
  return data;
}

/** Trigger metadata of an HTTP invocation: `Headers`, `Query` and the route parameters. */
export function httpTriggerMetadata(request: HttpRequestDescription): Record<string, unknown> {
  return { ...request.params, Headers: flatHeaders(request.headers), Query: flatQuery(request.url) };
}

/** Writes the HTTP response the library returned; no response at all answers 204. */
export function writeRpcHttpResponse(res: ServerResponse, http: RpcHttpData | undefined): void {
  if (!http) {
    res.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? "200");
  res.statusCode = Number.isInteger(status) && status >= 100 && status <= 999 ? status : 500;
  for (const [name, value] of Object.entries(http.headers ?? {})) res.setHeader(name, value);
  const cookies = (http.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) res.appendHeader("set-cookie", cookies);
  const body = http.body?.bytes ?? http.body?.string;
  if (body === undefined || body === null || [204, 304].includes(res.statusCode)) res.end();
  else res.end(typeof body === "string" ? body : Buffer.from(body));
}

function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ""}=${cookie.value ?? ""}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === "number") parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  const maxAge = cookie.maxAge?.value;
  if (typeof maxAge === "number") parts.push(`Max-Age=${maxAge}`);
  if (cookie.secure?.value) parts.push("Secure");
  if (cookie.httpOnly?.value) parts.push("HttpOnly");
  if (cookie.sameSite === "lax") parts.push("SameSite=Lax");
  else if (cookie.sameSite === "strict") parts.push("SameSite=Strict");
  else if (cookie.sameSite === "explicitNone") parts.push("SameSite=None");
  return parts.join("; ");
}
