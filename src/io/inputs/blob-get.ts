import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { AnonymousCredential, type ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";

/**
 * One GET of a whole blob as a single plain HTTP request, authenticated as the SDK client it is
 * given would authenticate it: shared key (the same string to sign, signed by the client's own
 * credential), a SAS already in the client's URL, a bearer token from the client's token credential
 * (https only, as the SDK insists), or nothing for a public container.
 *
 * It exists for small inputs (the digits bench: one 8×8 PNG per file), where the Azure SDK's
 * pipeline (policies, retries, header parsing, a retriable stream around the body) costs about a
 * millisecond of the host's CPU per request, more than everything else done with the item. It only
 * handles the answer it expects, `200` with the whole body: anything else (a refusal, a missing or
 * changed blob, a throttle, a broken connection, a credential it does not know) answers `undefined`
 * and the caller asks the SDK, whose retries and errors then decide, exactly as before.
 */
export async function getWholeBlob(
  container: ContainerClient,
  blobName: string,
  options: { ifMatch?: string } = {},
): Promise<Buffer | undefined> {
  let url: URL;
  try {
    url = blobUrl(container.url, blobName);
  } catch {
    return undefined;
  }
  const headers = await authenticatedHeaders(container.credential, url, options.ifMatch);
  if (!headers) return undefined;
  try {
    return await send(url, headers);
  } catch {
    return undefined;
  }
}

/**
 * The URL of a blob of the container, as the SDK's `getBlobClient(name).url` spells it: each
 * `/`-separated part of the name URI-encoded, appended to the path (before a SAS query).
 */
export function blobUrl(containerUrl: string, blobName: string): URL {
  const url = new URL(containerUrl);
  const escaped = blobName.split("/").map(encodeURIComponent).join("/");
  url.pathname = url.pathname.endsWith("/") ? `${url.pathname}${escaped}` : `${url.pathname}/${escaped}`;
  return url;
}

/** The storage service version the request asks for; any answer of a whole blob's GET is the same. */
const SERVICE_VERSION = "2025-01-05";
/** The scope the SDK asks tokens for (`StorageOAuthScopes`). */
const STORAGE_SCOPE = "https://storage.azure.com/.default";
const IDLE_MS = 60_000;
/** Tokens are renewed this long before they expire, as the SDK's bearer policy does. */
const TOKEN_MARGIN_MS = 2 * 60_000;

async function authenticatedHeaders(
  credential: ContainerClient["credential"],
  url: URL,
  ifMatch: string | undefined,
): Promise<Record<string, string> | undefined> {
  const headers: Record<string, string> = {
    "x-ms-date": new Date().toUTCString(),
    "x-ms-version": SERVICE_VERSION,
  };
  if (ifMatch !== undefined) headers["if-match"] = ifMatch;
  if (credential instanceof StorageSharedKeyCredential) {
    headers.authorization = `SharedKey ${credential.accountName}:${credential.computeHMACSHA256(
      sharedKeyStringToSign(headers, url, credential.accountName),
    )}`;
    return headers;
  }
  if (credential instanceof AnonymousCredential) return headers;
  if (!isTokenCredential(credential) || url.protocol !== "https:") return undefined;
  const token = await tokenOf(credential);
  if (!token) return undefined;
  headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * The shared key string to sign of a GET without body or range, as the SDK's
 * `storageSharedKeyCredentialPolicy` builds it: the verb, eleven standard headers (only If-Match is
 * ever set here), the `x-ms-` headers sorted, and `/<account><path>` with the query parameters.
 */
export function sharedKeyStringToSign(headers: Record<string, string>, url: URL, account: string): string {
  const standard = ["", "", "", "", "", "", "", headers["if-match"] ?? "", "", "", ""];
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith("x-ms-"))
    .sort()
    .map((name) => `${name}:${headers[name]?.trimStart()}\n`)
    .join("");
  const queries = [...url.searchParams.keys()].map((key) => key.toLowerCase()).sort();
  const query = queries.map((key) => `\n${key}:${queryValue(url, key)}`).join("");
  return `GET\n${standard.join("\n")}\n${canonicalHeaders}/${account}${url.pathname || "/"}${query}`;
}

function queryValue(url: URL, lowercaseKey: string): string {
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === lowercaseKey) return value;
  return "";
}

function isTokenCredential(credential: unknown): credential is TokenCredential {
  return (
    typeof credential === "object" &&
    credential !== null &&
    typeof (credential as { getToken?: unknown }).getToken === "function"
  );
}

interface CachedToken {
  token?: AccessToken;
  pending?: Promise<AccessToken | null>;
}

const tokens = new WeakMap<TokenCredential, CachedToken>();

/** A token of the storage scope, shared by every request of the same credential until near its expiry. */
async function tokenOf(credential: TokenCredential): Promise<string | undefined> {
  let cached = tokens.get(credential);
  if (!cached) {
    cached = {};
    tokens.set(credential, cached);
  }
  const fresh = cached.token && cached.token.expiresOnTimestamp - TOKEN_MARGIN_MS > Date.now();
  if (fresh) return cached.token?.token;
  const entry = cached;
  entry.pending ??= credential.getToken(STORAGE_SCOPE).finally(() => {
    entry.pending = undefined;
  });
  try {
    const token = await entry.pending;
    if (!token) return undefined;
    entry.token = token;
    return token.token;
  } catch {
    return undefined;
  }
}

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** The body of a `200` answer that came whole, else undefined. */
function send(url: URL, headers: Record<string, string>): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === "https:";
    const outgoing = (https ? httpsRequest : httpRequest)(
      url,
      { method: "GET", headers, agent: https ? httpsAgent : httpAgent, timeout: IDLE_MS },
      (incoming) => {
        if (incoming.statusCode !== 200) {
          incoming.resume();
          resolve(undefined);
          return;
        }
        readBody(incoming).then(resolve, reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${IDLE_MS / 1000} s`)));
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/** The whole body, or undefined when it ended short of its Content-Length. */
async function readBody(incoming: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of incoming) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  const expected = Number(incoming.headers["content-length"]);
  if (!incoming.complete || (Number.isFinite(expected) && expected !== length)) return undefined;
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, length);
}
