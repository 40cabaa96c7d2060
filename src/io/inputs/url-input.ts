import { ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { resolveBlobPath } from "./blob-path-input.js";
import { fetchInputUrl } from "./input-fetch.js";
import type { DataType } from "./input-reference.js";
import type { ResolvedInput } from "./resolved-input.js";
import { checkInputHost, checkInputUrl, redact, type UrlPolicy } from "./url-policy.js";

export interface UrlInputRequest {
  url: string;
  declared?: DataType;
  /** BATCHFN_ALLOW_PRIVATE_URL_INPUTS: http and private addresses allowed (see url-policy.ts). */
  allowHttp?: boolean;
}

/** A blob URL taken apart: service URL, container and the path inside it. */
export interface BlobUrl {
  serviceUrl: string;
  container: string;
  path: string;
}

const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const BLOB_HOST = /^[a-z0-9]{3,24}\.blob\./;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** Azure Storage's public blob endpoints: the only hosts listed as folders under the strict policy. */
const AZURE_BLOB_HOST = /\.blob\.core\.(?:windows\.net|chinacloudapi\.cn|usgovcloudapi\.net)$/;

/**
 * Resolves an http(s) input: a file answered by HEAD (or a one-byte ranged GET) becomes a single
 * item; a blob service URL that is not a file is listed as a public folder, anonymously. Every
 * request is made under the URL policy (url-policy.ts); only Azure Storage hosts are listed as
 * folders unless private addresses are allowed.
 */
export async function resolveUrlInput(request: UrlInputRequest): Promise<ResolvedInput> {
  const policy: UrlPolicy = { allowPrivate: request.allowHttp === true };
  const url = checkInputUrl(request.url, policy);
  const display = redact(url);
  const listable = policy.allowPrivate === true || AZURE_BLOB_HOST.test(url.hostname);
  const blob = url.search === "" && listable ? parseBlobUrl(url) : undefined;
  const folderOnly = url.pathname.endsWith("/");
  if (!folderOnly) {
    const probe = await probeUrl(url, display, policy);
    if (probe.found) {
      if (request.declared === "uri_folder") {
        throw errors.inputTypeMismatch(`Input '${display}' is declared uri_folder but is a file.`);
      }
      const name = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf("/") + 1)) || url.hostname;
      return {
        display,
        type: "uri_file",
        root: { kind: "url", url: url.href },
        items: [{ name, size: probe.size, etag: probe.etag }],
      };
    }
    if (!blob) throw errors.inputNotFound(`Input '${display}' was not found (HTTP ${probe.status}).`);
  }
  if (!blob) {
    throw errors.invalidInput(
      `Input '${display}' ends with '/' but is not an Azure blob URL; only public blob containers can be listed as folders.`,
    );
  }
  await checkInputHost(url, policy);
  const path = blob.path === "" || folderOnly ? blob.path : `${blob.path}/`;
  return resolveBlobPath({
    container: new ContainerClient(`${blob.serviceUrl}/${blob.container}`),
    store: { kind: "public", url: blob.serviceUrl },
    containerName: blob.container,
    path,
    display,
    declared: request.declared,
  });
}

/**
 * Recognises `https://<account>.blob.<suffix>/<container>/<path>` and, on loopback (Azurite),
 * the path-style `http://127.0.0.1:<port>/<account>/<container>/<path>`.
 */
export function parseBlobUrl(url: URL): BlobUrl | undefined {
  const segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
  const pathStyle = LOOPBACK.has(url.hostname);
  if (!pathStyle && !BLOB_HOST.test(url.hostname)) return undefined;
  const skip = pathStyle ? 1 : 0;
  const container = segments[skip];
  if (container === undefined || !CONTAINER.test(container)) return undefined;
  const account = pathStyle ? `/${segments[0]}` : "";
  return {
    serviceUrl: `${url.protocol}//${url.host}${account}`,
    container,
    path: segments.slice(skip + 1).join("/"),
  };
}

interface Probe {
  found: boolean;
  status: number;
  size?: number;
  etag?: string;
}

async function probeUrl(url: URL, display: string, policy: UrlPolicy): Promise<Probe> {
  let response = await fetchInputUrl(url.href, { method: "HEAD", policy });
  if (response.status === 405 || response.status === 501) {
    response = await fetchInputUrl(url.href, { headers: { range: "bytes=0-0" }, policy });
    await response.body?.cancel();
  }
  if (response.ok) return { found: true, status: response.status, ...sizeAndEtag(response) };
  if (response.status === 404 || response.status === 410 || response.status === 400) {
    return { found: false, status: response.status };
  }
  throw errors.inputUnreachable(`Input '${display}' answered HTTP ${response.status}.`);
}

function sizeAndEtag(response: Response): { size?: number; etag?: string } {
  const range = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
  const length = range?.[1] ?? (response.status === 200 ? response.headers.get("content-length") : null);
  const etag = response.headers.get("etag") ?? undefined;
  return { ...(length ? { size: Number(length) } : {}), ...(etag ? { etag } : {}) };
}
