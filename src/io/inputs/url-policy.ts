import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { BatchfnError, errors } from "../../errors.js";
import { classifyAddress } from "./address-ranges.js";

/** Which URLs given as input batchfn may fetch. */
export interface UrlPolicy {
  /**
   * `BATCHFN_ALLOW_PRIVATE_URL_INPUTS=true`: plain `http:` and loopback or private addresses are
   * allowed too (local development, private networks). Link-local and cloud metadata addresses
   * stay refused. Default false.
   */
  allowPrivate?: boolean;
}

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true` by default). */
export type ResolveHost = (host: string) => Promise<LookupAddress[]>;

const SETTING = "BATCHFN_ALLOW_PRIVATE_URL_INPUTS";

/**
 * Checks what can be checked without the network: `https:` only (`http:` too when private
 * addresses are allowed), no credentials in the URL, and a host given as an IP address must be
 * allowed by {@link checkAddress}. Host names are checked when they are resolved
 * ({@link checkInputHost}, {@link guardedLookup}).
 */
export function checkInputUrl(text: string, policy: UrlPolicy = {}): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw errors.invalidInput(`Input '${text}' is not a valid URL.`);
  }
  const httpAllowed = policy.allowPrivate === true && url.protocol === "http:";
  if (url.protocol !== "https:" && !httpAllowed) {
    throw errors.invalidInput(
      `Input '${redact(url)}' must be an https URL (http only with ${SETTING}=true).`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw errors.invalidInput(
      `Input '${redact(url)}' holds credentials in the URL; give a public URL or register a datastore.`,
    );
  }
  const host = bareHost(url);
  if (isIP(host) !== 0) checkAddress(host, redact(url), policy);
  return url;
}

/** Refuses an address the policy does not allow, naming the input and what the address is. */
export function checkAddress(address: string, display: string, policy: UrlPolicy): void {
  const found = classifyAddress(address);
  if (found.kind === "forbidden") {
    throw errors.invalidInput(
      `Input '${display}' resolves to ${address}, a ${found.label} address, which batchfn never fetches.`,
    );
  }
  if (found.kind === "private" && policy.allowPrivate !== true) {
    throw errors.invalidInput(
      `Input '${display}' resolves to ${address}, a ${found.label} address; batchfn fetches only public addresses unless ${SETTING}=true.`,
    );
  }
}

/** Resolves the URL's host and checks every address it has (a name resolving to loopback is refused). */
export async function checkInputHost(
  url: URL,
  policy: UrlPolicy,
  resolve: ResolveHost = resolveAll,
): Promise<void> {
  const host = bareHost(url);
  if (isIP(host) !== 0) return checkAddress(host, redact(url), policy);
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (thrown) {
    throw errors.inputUnreachable(
      `Input '${redact(url)}' could not be reached: host '${host}' does not resolve.`,
      thrown,
    );
  }
  for (const { address } of addresses) checkAddress(address, redact(url), policy);
}

/**
 * A `lookup` for `http.request` that resolves like `dns.lookup` and refuses the connection unless
 * every address is allowed: the check happens on the very addresses the socket connects to, so a
 * name that resolves differently the second time (DNS rebinding) is caught.
 */
export function guardedLookup(policy: UrlPolicy, display: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      try {
        for (const { address } of addresses) checkAddress(address, display, policy);
      } catch (thrown) {
        return callback(thrown instanceof BatchfnError ? thrown : errors.invalidInput(String(thrown)), "", 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(
          Object.assign(new Error(`'${hostname}' has no address`), { code: "ENOTFOUND" }),
          "",
          0,
        );
      callback(null, first.address, first.family);
    });
  };
}

/** The URL without user info, query or fragment: safe to show in messages and logs. */
export function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

const resolveAll: ResolveHost = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });
