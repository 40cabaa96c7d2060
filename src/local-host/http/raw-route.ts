import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AuthLevel } from "../registered-function.js";
import { readRequestBody } from "./request-body.js";

/** A Fetch-style handler of a raw route (e.g. the Durable management API). */
export type RawRouteHandler = (request: Request) => Promise<Response> | Response;

export interface RawRouteOptions {
  /** Key level the host checks before calling the handler; default "anonymous" (the handler checks). */
  authLevel?: AuthLevel;
}

/** A path prefix served by a raw handler instead of the app's functions. */
export interface RawRoute {
  /** Normalised: leading and trailing "/" (e.g. `/runtime/webhooks/durabletask/`). */
  prefix: string;
  handler: RawRouteHandler;
  authLevel: AuthLevel;
}

/** Builds a raw route; `prefix` is matched case-insensitively against the request path. */
export function rawRoute(prefix: string, handler: RawRouteHandler, options: RawRouteOptions = {}): RawRoute {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return {
    prefix: trimmed === "" ? "/" : `/${trimmed}/`,
    handler,
    authLevel: options.authLevel ?? "anonymous",
  };
}

/** True when the path is the prefix itself or lies under it. */
export function underPrefix(route: RawRoute, path: string): boolean {
  const lower = path.toLowerCase();
  const prefix = route.prefix.toLowerCase();
  return lower.startsWith(prefix) || `${lower}/` === prefix;
}

/**
 * Serves one request with a raw handler: the request becomes a Fetch `Request` (body buffered
 * under the size limit, 413 above it), the `Response` is copied back, its body streamed.
 */
export async function serveRawRoute(
  route: RawRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  maxBodyBytes: number,
): Promise<void> {
  const method = req.method ?? "GET";
  let body: Buffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const read = await readRequestBody(req, maxBodyBytes);
    if (read.kind === "tooLarge") {
      res.writeHead(413, { connection: "close" }).end();
      return;
    }
    body = read.body;
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? "");
  }
  const response = await route.handler(new Request(url, { method, headers, body }));
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  await pipeline(Readable.fromWeb(response.body), res);
}
