import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { invokeFunction } from "../invoke-function.js";
import type { RegisteredFunction } from "../registered-function.js";
import { rawTypedData } from "../typed-data.js";
import { declaredLength, readRequestBody } from "./request-body.js";
import {
  type HttpRequestDescription,
  httpTriggerMetadata,
  toRpcHttpRequest,
  writeRpcHttpResponse,
} from "./rpc-http.js";
import { forwardToStreamProxy } from "./stream-proxy.js";

export interface FunctionRequest {
  fn: RegisteredFunction;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** Values of the function's other input bindings (durable client). */
  inputs: Record<string, unknown>;
  maxBodyBytes: number;
  /** The library's stream proxy (`HttpUri` capability) when the app enabled HTTP streaming. */
  httpStreamUri: string | undefined;
}

/**
 * Invokes an HTTP-triggered function. Without HTTP streaming (the library's default) the body is
 * read whole and sent as RPC data, and the response comes back whole, exactly as in Azure; with
 * `app.setup({ enableHttpStream: true })` the request and response stream through the library's
 * proxy (see `forwardToStreamProxy`).
 */
export async function serveFunctionRequest(request: FunctionRequest): Promise<void> {
  const { req, res } = request;
  const declared = declaredLength(req);
  if (declared !== undefined && declared > request.maxBodyBytes) {
    req.resume();
    res.writeHead(413, { connection: "close" }).end();
    return;
  }
  const description: HttpRequestDescription = {
    method: req.method ?? "GET",
    url: request.url,
    headers: req.headers,
    params: request.params,
  };
  if (request.httpStreamUri) {
    await serveStreamed(request, description, request.httpStreamUri);
    return;
  }
  const read = await readRequestBody(req, request.maxBodyBytes);
  if (read.kind === "tooLarge") {
    res.writeHead(413, { connection: "close" }).end();
    return;
  }
  description.body = read.body;
  const result = await invokeFunction(request.fn, {
    triggerValue: rawTypedData({ http: toRpcHttpRequest(description) }),
    triggerMetadata: httpTriggerMetadata(description),
    inputs: request.inputs,
  });
  writeRpcHttpResponse(res, result.response.returnValue?.http ?? undefined);
}

async function serveStreamed(
  request: FunctionRequest,
  description: HttpRequestDescription,
  httpUri: string,
): Promise<void> {
  const { res } = request;
  const invocationId = randomUUID();
  const proxied = forwardToStreamProxy({
    httpUri,
    invocationId,
    req: request.req,
    res,
    maxBodyBytes: request.maxBodyBytes,
  });
  const invocation = invokeFunction(request.fn, {
    invocationId,
    triggerValue: rawTypedData({ http: toRpcHttpRequest(description) }),
    triggerMetadata: httpTriggerMetadata(description),
    inputs: request.inputs,
  });
  invocation.catch(() => undefined);
  const outcome = await Promise.race([
    invocation.then((result) => ({ kind: "invoked" as const, result })),
    proxied.failed.then(() => ({ kind: "forwardingFailed" as const })),
  ]).catch((thrown: unknown) => ({ kind: "threw" as const, thrown }));
  if (outcome.kind === "invoked") {
    if (outcome.result.result === undefined || outcome.result.result === null) {
      proxied.abort();
      res.writeHead(204).end();
      return;
    }
    await proxied.done;
    return;
  }
  proxied.abort();
  if (proxied.tooLarge && !res.headersSent) {
    res.writeHead(413, { connection: "close" }).end();
    return;
  }
  if (outcome.kind === "threw") throw outcome.thrown;
  if (!res.headersSent) res.writeHead(502).end();
}
