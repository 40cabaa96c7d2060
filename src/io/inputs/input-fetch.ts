import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { BatchfnError, errors } from "../../errors.js";
import { checkInputUrl, guardedLookup, redact, type UrlPolicy } from "./url-policy.js";

/** One request, redirects not followed. */
export interface InputRequest {
  method: "GET" | "HEAD";
  headers: Record<string, string>;
}

/** Sends one request to a URL the policy allowed; the default checks the resolved addresses too. */
export type InputTransport = (url: URL, request: InputRequest, policy: UrlPolicy) => Promise<Response>;

export interface InputFetchOptions {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  policy: UrlPolicy;
  /** Most redirects followed (default 5). */
  maxRedirects?: number;
  transport?: InputTransport;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const IDLE_MS = 60_000;

/**
 * Fetches a URL given as input, under the URL policy at every step: the URL is checked, the host
 * name's addresses are checked as the connection is made, and each redirect is followed by hand
 * (at most `maxRedirects`) after checking its target the same way. Answers like `fetch`;
 * refusals are `InvalidInput` naming the input, failures to connect `InputUnreachable`.
 */
export async function fetchInputUrl(text: string, options: InputFetchOptions): Promise<Response> {
  const { policy } = options;
  const transport = options.transport ?? nodeTransport;
  const maxRedirects = options.maxRedirects ?? 5;
  let url = checkInputUrl(text, policy);
  let method = options.method ?? "GET";
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await transport(url, { method, headers: options.headers ?? {} }, policy);
    } catch (thrown) {
      if (thrown instanceof BatchfnError) throw thrown;
      throw errors.inputUnreachable(`Input '${redact(url)}' could not be reached: ${String(thrown)}`, thrown);
    }
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hop >= maxRedirects) {
      throw errors.inputUnreachable(`Input '${text}' redirects more than ${maxRedirects} times.`);
    }
    const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
    if (!next)
      throw errors.invalidInput(`Input '${redact(url)}' redirects to '${location}', which is not a URL.`);
    url = checkInputUrl(next.href, policy);
    if (response.status === 303) method = "GET";
  }
}

const agents = new Map<string, HttpAgent>();

/** Keep-alive agents of their own, so no socket opened without the address check is ever reused. */
function agentFor(protocol: string, policy: UrlPolicy): HttpAgent {
  const key = `${protocol}${policy.allowPrivate === true}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = protocol === "https:" ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

/** node:http(s) with {@link guardedLookup}: the addresses a host name resolves to are checked as it connects. */
const nodeTransport: InputTransport = (url, request, policy) =>
  new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = send(
      url,
      {
        method: request.method,
        headers: request.headers,
        agent: agentFor(url.protocol, policy),
        lookup: guardedLookup(policy, redact(url)),
        timeout: IDLE_MS,
      },
      (incoming) => resolve(toResponse(incoming, request.method)),
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${IDLE_MS / 1000} s`)));
    outgoing.on("error", reject);
    outgoing.end();
  });

function toResponse(incoming: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = incoming.statusCode ?? 502;
  const empty = method === "HEAD" || status === 204 || status === 304;
  if (empty) incoming.resume();
  const body = empty
    ? null
    : (Readable.toWeb(incoming) as WebReadableStream<Uint8Array> as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: incoming.statusMessage, headers });
}
