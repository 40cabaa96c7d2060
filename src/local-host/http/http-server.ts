import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { ensureError, errors } from "../../errors.js";
import { coreLog } from "../functions-core.js";
import type { RegisteredFunction } from "../registered-function.js";
import { serveFunctionRequest } from "./function-request.js";
import { type HostKeys, passesAuthLevel, presentedKey } from "./host-keys.js";
import { type RawRoute, serveRawRoute, underPrefix } from "./raw-route.js";
import type { RouteTable } from "./route-table.js";

export interface HttpServerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  routes: RouteTable;
  /** Raw routes, read on every request (extensions add theirs after the server listens). */
  rawRoutes: () => readonly RawRoute[];
  keys: HostKeys | undefined;
  maxRequestBodyBytes: number;
  httpStreamUri: string | undefined;
  /** Values of an invocation's non-trigger input bindings (durable client). */
  inputsFor(fn: RegisteredFunction): Record<string, unknown>;
  /** Requests wait for this before they are dispatched (extensions starting up). */
  ready: Promise<void>;
}

export interface RunningHttpServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * The HTTP front of the local host: raw routes first (by prefix), then the app's HTTP triggers:
 * 404 when no route matches, 405 (with `Allow`) when the route exists for other methods, 401 when
 * the key does not pass the function's `authLevel`, 413 above the body size limit, 500 when the
 * function fails.
 */
export async function listenHttp(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    dispatch(options, req, res).catch((thrown: unknown) => {
      coreLog({
        level: "error",
        category: "system",
        message: `HTTP ${req.method} ${req.url} failed: ${describe(thrown)}`,
      });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw errors.invalidConfig(`The local host must listen on a TCP port, not '${String(address)}'`, [
      { path: "host", message: "not a TCP address" },
    ]);
  }
  const { port } = address;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((thrown) => (thrown ? reject(thrown) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function dispatch(
  options: HttpServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  await options.ready;
  const url = requestUrl(req, options.host);
  const raw = options.rawRoutes().find((route) => underPrefix(route, url.pathname));
  if (raw) {
    if (!passesAuthLevel(raw.authLevel, presentedKey(req.headers, url.searchParams), options.keys)) {
      unauthorized(req, res);
      return;
    }
    await serveRawRoute(raw, req, res, url, options.maxRequestBodyBytes);
    return;
  }
  const match = options.routes.match(req.method ?? "GET", url.pathname);
  if (match.kind === "notFound") {
    req.resume();
    res.writeHead(404).end();
    return;
  }
  if (match.kind === "methodNotAllowed") {
    req.resume();
    res.writeHead(405, { allow: match.allow.join(", ") }).end();
    return;
  }
  const { route, params } = match;
  if (!passesAuthLevel(route.authLevel, presentedKey(req.headers, url.searchParams), options.keys)) {
    unauthorized(req, res);
    return;
  }
  try {
    await serveFunctionRequest({
      fn: route.fn,
      req,
      res,
      url,
      params,
      inputs: options.inputsFor(route.fn),
      maxBodyBytes: options.maxRequestBodyBytes,
      httpStreamUri: options.httpStreamUri,
    });
  } catch (thrown) {
    coreLog({
      level: "error",
      category: "system",
      functionName: route.fn.name,
      message: `Executed 'Functions.${route.fn.name}' (Failed): ${describe(thrown)}`,
    });
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  }
}

function unauthorized(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(401).end();
}

function requestUrl(req: IncomingMessage, fallbackHost: string): URL {
  const path = req.url ?? "/";
  try {
    return new URL(path, `http://${req.headers.host ?? fallbackHost}`);
  } catch {
    return new URL(path, `http://${fallbackHost}`);
  }
}

function describe(thrown: unknown): string {
  const error = ensureError(thrown);
  return error.stack ?? error.message;
}
