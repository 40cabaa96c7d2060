import { createHash } from "node:crypto";
import { errors } from "../../errors.js";
import { type Handler, handle, param } from "../http.js";
import type { MonitorFiles } from "./monitor-bundle.js";

/**
 * The page's policy: its own script and stylesheet only, requests to its own origin only (the REST
 * API), no inline script or style, no plugins, no framing, no forms posting elsewhere.
 */
export const MONITOR_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": MONITOR_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-cache",
};

/**
 * `GET /api/monitor/{*asset}`: the job monitor page (`index.html`, `monitor.js`, `monitor.css`).
 * The files hold no data and need no credential; the page asks for one and sends it with each API
 * request it makes. `/api/monitor` redirects to `/api/monitor/` so that the page's relative links
 * resolve under it.
 */
export function createMonitorPageHandler(files: () => Promise<MonitorFiles>): Handler {
  return handle(async (request) => {
    const asset = param(request, "asset");
    const url = new URL(request.url);
    if (asset === "" && !url.pathname.endsWith("/")) {
      return { status: 301, headers: { ...SECURITY_HEADERS, location: `${url.pathname}/${url.search}` } };
    }
    const file = (await files()).get(asset === "" ? "index.html" : asset);
    if (!file) throw errors.notFound("Monitor file", asset);
    const etag = `"${createHash("sha256").update(file.body).digest("base64url").slice(0, 27)}"`;
    const headers = { ...SECURITY_HEADERS, "content-type": file.type, etag };
    if (request.headers.get("if-none-match") === etag) return { status: 304, headers };
    return { status: 200, body: file.body, headers };
  });
}
