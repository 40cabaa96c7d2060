import { errors } from "../../errors.js";
import { WEBHOOK_PATH } from "./client-binding.js";
import type { RuntimeStatus } from "./instance.js";
import type { InstanceFilter } from "./instance-query.js";
import { RUNTIME_STATUSES } from "./stored-instance.js";

/** One operation of the management API, read from method and path. */
export type ManagementRoute = { webhook: boolean } & (
  | { kind: "start"; functionName: string; instanceId?: string }
  | { kind: "status" | "purge"; instanceId: string }
  | { kind: "list" | "purgeBy" }
  | { kind: "raiseEvent"; instanceId: string; eventName: string }
  | { kind: "terminate" | "suspend" | "resume" | "restart"; instanceId: string }
  | { kind: "unsupported"; what: string }
);

/**
 * Reads the operation of a request under the webhook path or the rpc path; undefined when the path
 * is under neither or names no operation.
 */
export function parseRoute(url: URL, method: string, rpcPath: string): ManagementRoute | undefined {
  const path = url.pathname;
  const webhookPrefix = `${WEBHOOK_PATH}/`;
  const rpcPrefix = rpcPath.endsWith("/") ? rpcPath : `${rpcPath}/`;
  const webhook = path.startsWith(webhookPrefix) || path === WEBHOOK_PATH;
  const rest = webhook
    ? path.slice(webhookPrefix.length)
    : path.startsWith(rpcPrefix)
      ? path.slice(rpcPrefix.length)
      : undefined;
  if (rest === undefined) return undefined;
  const segments = rest.split("/").map(decodeURIComponent);
  const [area, id, action, name] = segments;
  const verb = method.toUpperCase();
  if (area === "orchestrators" && verb === "POST" && id && segments.length <= 3) {
    return { webhook, kind: "start", functionName: id, instanceId: action || undefined };
  }
  if (area === "entities") return { webhook, kind: "unsupported", what: "Durable entities" };
  if (area !== "instances") return undefined;
  if (!id) {
    if (segments.length > 2) return undefined;
    if (verb === "GET") return { webhook, kind: "list" };
    if (verb === "DELETE") return { webhook, kind: "purgeBy" };
    return undefined;
  }
  if (action === undefined) {
    if (verb === "GET") return { webhook, kind: "status", instanceId: id };
    if (verb === "DELETE") return { webhook, kind: "purge", instanceId: id };
    return undefined;
  }
  if (verb !== "POST") return undefined;
  if (action === "raiseEvent" && name && segments.length === 4) {
    return { webhook, kind: "raiseEvent", instanceId: id, eventName: name };
  }
  if (segments.length !== 3) return undefined;
  if (action === "terminate" || action === "suspend" || action === "resume" || action === "restart") {
    return { webhook, kind: action, instanceId: id };
  }
  if (action === "rewind") return { webhook, kind: "unsupported", what: "Rewind" };
  return undefined;
}

/** A boolean query parameter: `true`/`false` in any case, `fallback` when absent. */
export function queryFlag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null || value === "") return fallback;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw errors.invalidInput(`Query parameter '${name}' must be true or false, got '${value}'.`);
}

/** The list / purge filters of a query string. */
export function parseStatusFilter(query: URLSearchParams): InstanceFilter {
  const statuses = query.get("runtimeStatus");
  return {
    createdTimeFrom: queryDate(query, "createdTimeFrom"),
    createdTimeTo: queryDate(query, "createdTimeTo"),
    runtimeStatus: statuses ? statuses.split(",").map((s) => runtimeStatus(s.trim())) : undefined,
    instanceIdPrefix: query.get("instanceIdPrefix") || undefined,
  };
}

function queryDate(query: URLSearchParams, name: string): Date | undefined {
  const value = query.get(name);
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw errors.invalidInput(`Query parameter '${name}' is not a date: '${value}'.`);
  return date;
}

function runtimeStatus(value: string): RuntimeStatus | "Canceled" {
  const found = [...RUNTIME_STATUSES, "Canceled" as const].find(
    (s) => s.toLowerCase() === value.toLowerCase(),
  );
  if (!found) {
    throw errors.invalidInput(
      `Query parameter 'runtimeStatus' holds '${value}'; use ${RUNTIME_STATUSES.join(", ")}.`,
    );
  }
  return found;
}
