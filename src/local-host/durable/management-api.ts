import { BatchfnError, ensureError, errors } from "../../errors.js";
import { sameKey } from "../http/host-keys.js";
import { managementUrls, WEBHOOK_PATH } from "./client-binding.js";
import { type ManagementRoute, parseRoute, parseStatusFilter, queryFlag } from "./management-route.js";
import type { OperationOutcome, OrchestrationClient } from "./orchestration-client.js";
import type { OrchestrationStatus } from "./status-body.js";

export interface ManagementApiOptions {
  client: OrchestrationClient;
  taskHub: string;
  /** Origin of the Functions host (check-status URLs point there). */
  hostUrl: string;
  /** Path prefix of the rpc base URL, e.g. `/durabletask/`. */
  rpcPath: string;
  /** Keys accepted in `code` (or `x-functions-key`) on webhook routes; none required when empty. */
  keys: string[];
  /** The key check-status URLs carry. */
  systemKey?: string;
  /** Page size of the list operation when the request gives no `top`. */
  listPageSize: number;
}

const CONTINUATION = "x-ms-continuation-token";
const RUNNING = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);

/**
 * The Durable extension's HTTP management API (durable-protocol.md §3), served under
 * `/runtime/webhooks/durabletask/` (keys required when configured) and under the rpc base path (no
 * keys, the way the extension serves its local rpc endpoint: whoever mounts it keeps that path
 * private). Fetch API types in and out.
 */
export async function handleManagementRequest(
  options: ManagementApiOptions,
  request: Request,
): Promise<Response> {
  try {
    const url = new URL(request.url);
    const route = parseRoute(url, request.method, options.rpcPath);
    if (!route) return text(404, `No durable management operation at ${request.method} ${url.pathname}.`);
    if (route.webhook && options.keys.length > 0) {
      const key = url.searchParams.get("code") ?? request.headers.get("x-functions-key");
      if (!key || !options.keys.some((expected) => sameKey(key, expected)))
        return text(401, "A valid system key is required (code=...).");
    }
    const hub = url.searchParams.get("taskHub");
    if (hub && hub.toLowerCase() !== options.taskHub.toLowerCase()) {
      return text(404, `Task hub '${hub}' is not served by this host (it serves '${options.taskHub}').`);
    }
    return await dispatch(options, route, request, url);
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return json(thrown.status, thrown.toBody());
    return text(500, ensureError(thrown).message);
  }
}

async function dispatch(
  options: ManagementApiOptions,
  route: ManagementRoute,
  request: Request,
  url: URL,
): Promise<Response> {
  const { client } = options;
  const query = url.searchParams;
  switch (route.kind) {
    case "start": {
      const input = await readJson(request);
      const instanceId = await client.start(route.functionName, { instanceId: route.instanceId, input });
      const timeout = query.get("timeout");
      if (timeout !== null) {
        const interval = Number(query.get("pollingInterval") ?? 1);
        return waitForCompletion(options, instanceId, Number(timeout) * 1000, interval * 1000);
      }
      return checkStatus(options, instanceId);
    }
    case "status": {
      const status = await client.status(route.instanceId, {
        showInput: queryFlag(query, "showInput", true),
        showHistory: queryFlag(query, "showHistory", false),
        showHistoryOutput: queryFlag(query, "showHistoryOutput", false),
      });
      if (!status) return text(404, `No instance with ID '${route.instanceId}' found.`);
      if (RUNNING.has(status.runtimeStatus)) {
        return json(202, status, { Location: request.url, "Retry-After": "5" });
      }
      const failedAs500 =
        status.runtimeStatus === "Failed" && queryFlag(query, "returnInternalServerErrorOnFailure", false);
      return json(failedAs500 ? 500 : 200, status);
    }
    case "list": {
      const top = query.get("top");
      const page = await client.list({
        ...parseStatusFilter(query),
        top: top === null ? options.listPageSize : positiveInteger(top, "top"),
        continuationToken: request.headers.get(CONTINUATION) || undefined,
        showInput: queryFlag(query, "showInput", false),
      });
      const headers: Record<string, string> = page.continuationToken
        ? { [CONTINUATION]: page.continuationToken }
        : {};
      return json(200, page.instances, headers);
    }
    case "purge": {
      const deleted = await client.purge(route.instanceId);
      return deleted > 0
        ? json(200, { instancesDeleted: deleted })
        : text(404, `No instance with ID '${route.instanceId}' found.`);
    }
    case "purgeBy": {
      const filter = parseStatusFilter(query);
      if (!filter.createdTimeFrom)
        throw errors.invalidInput("Query parameter 'createdTimeFrom' is required to purge by filter.");
      const deleted = await client.purgeBy(filter);
      return deleted > 0
        ? json(200, { instancesDeleted: deleted })
        : text(404, "No instances matched the filter.");
    }
    case "raiseEvent":
      return outcome(
        await client.raiseEvent(route.instanceId, route.eventName, await readJson(request)),
        route.instanceId,
      );
    case "terminate":
    case "suspend":
    case "resume": {
      const reason = query.get("reason") ?? "";
      return outcome(await client[route.kind](route.instanceId, reason), route.instanceId);
    }
    case "restart": {
      const status = await client.status(route.instanceId);
      if (!status) return text(404, `No instance with ID '${route.instanceId}' found.`);
      const sameId = queryFlag(query, "restartWithNewInstanceId", true) === false;
      const instanceId = await client.start(status.name, {
        instanceId: sameId ? route.instanceId : undefined,
        input: status.input,
      });
      return checkStatus(options, instanceId);
    }
    case "unsupported":
      return text(501, `${route.what} is not supported by the batchfn local host.`);
  }
}

function checkStatus(options: ManagementApiOptions, instanceId: string): Response {
  const payload = payloadFor(options, instanceId);
  return json(202, payload, { Location: payload.statusQueryGetUri, "Retry-After": "10" });
}

function payloadFor(options: ManagementApiOptions, instanceId: string) {
  const code = options.systemKey ? `code=${encodeURIComponent(options.systemKey)}` : "";
  const baseUrl = `${options.hostUrl.replace(/\/+$/, "")}${WEBHOOK_PATH}`;
  return managementUrls(baseUrl, options.taskHub, code, instanceId);
}

async function waitForCompletion(
  options: ManagementApiOptions,
  instanceId: string,
  timeoutMs: number,
  intervalMs: number,
): Promise<Response> {
  const deadline = Date.now() + (Number.isFinite(timeoutMs) ? timeoutMs : 0);
  for (;;) {
    const status: OrchestrationStatus | undefined = await options.client.status(instanceId);
    if (status?.runtimeStatus === "Completed") return json(200, status.output);
    if (status?.runtimeStatus === "Terminated") return json(200, status);
    if (status?.runtimeStatus === "Failed") return json(500, status);
    if (Date.now() >= deadline) return checkStatus(options, instanceId);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(50, Math.min(intervalMs, deadline - Date.now()))),
    );
  }
}

function outcome(result: OperationOutcome, instanceId: string): Response {
  if (result === "notFound") return text(404, `No instance with ID '${instanceId}' found.`);
  if (result === "finished") return text(410, `Instance '${instanceId}' has already finished.`);
  return new Response(null, { status: 202 });
}

async function readJson(request: Request): Promise<unknown> {
  const body = (await request.text()).trim();
  if (body === "") return null;
  try {
    return JSON.parse(body);
  } catch {
    throw errors.invalidInput("The request body is not valid JSON.");
  }
}

function positiveInteger(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw errors.invalidInput(`Query parameter '${name}' must be a positive integer, got '${value}'.`);
  return parsed;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body ?? null), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
