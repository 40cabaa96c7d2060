import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { AuthLevel } from "../registered-function.js";

/**
 * The keys of the local host, from local configuration. The master key passes every level;
 * a function key passes `function` level (on every function).
 */
export interface HostKeys {
  masterKey?: string;
  /** Function keys by key name (e.g. `{ default: "..." }`), valid for every function. */
  functionKeys?: Record<string, string>;
}

/** The key a request presents: the `x-functions-key` header, else the `code` query parameter. */
export function presentedKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers["x-functions-key"];
  const value = Array.isArray(header) ? header[0] : header;
  return value ?? query.get("code") ?? undefined;
}

/**
 * Whether a presented key passes an authorization level. Without `keys` the host does not check
 * keys at all (as Core Tools do when running locally).
 */
export function passesAuthLevel(
  level: AuthLevel,
  key: string | undefined,
  keys: HostKeys | undefined,
): boolean {
  if (level === "anonymous" || keys === undefined) return true;
  if (key === undefined || key === "") return false;
  if (keys.masterKey !== undefined && sameKey(key, keys.masterKey)) return true;
  if (level === "admin") return false;
  return Object.values(keys.functionKeys ?? {}).some((candidate) => sameKey(key, candidate));
}

/** Compares a presented key with an expected one in constant time; an empty expected key matches nothing. */
export function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && expected !== "" && timingSafeEqual(a, b);
}
