import { errors } from "../../errors.js";

export interface UrlPolicyOptions {
  /** Accept `http://` URLs on loopback hosts (tests against Azurite); default false. */
  allowHttp?: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The single place that decides whether batchfn may fetch a URL given as input: https only (plain
 * http on loopback with `allowHttp`), no credentials in the URL. The full SSRF policy (private
 * address ranges, redirects, DNS rebinding) belongs here.
 */
export function checkInputUrl(text: string, options: UrlPolicyOptions = {}): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw errors.invalidInput(`Input '${text}' is not a valid URL.`);
  }
  const httpAllowed = options.allowHttp === true && url.protocol === "http:" && LOOPBACK.has(url.hostname);
  if (url.protocol !== "https:" && !httpAllowed) {
    throw errors.invalidInput(`Input '${text}' must be an https URL.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw errors.invalidInput(
      `Input '${redact(url)}' holds credentials in the URL; give a public URL or register a datastore.`,
    );
  }
  return url;
}

/** The URL without user info, query or fragment: safe to show in messages and logs. */
export function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
