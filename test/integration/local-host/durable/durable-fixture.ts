import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { InvocationContext } from "@azure/functions";
import type { DurableClient, OrchestrationHandler } from "durable-functions";
import * as df from "durable-functions";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import {
  createDurableBackend,
  type DurableBackend,
  type DurableBackendOptions,
} from "../../../../src/local-host/durable/durable-backend.js";
import type { StorageClients } from "../../../../src/storage/clients.js";
import { orchestratorHandler } from "../../../support/durable-runner.js";
import { testClients, uniqueName } from "../../../support/storage.js";

export interface HubDefinition {
  orchestrations: Record<string, OrchestrationHandler>;
  activities: Record<string, ActivityInvoker>;
}

export type BackendOverrides = Partial<
  Omit<
    DurableBackendOptions,
    "clients" | "taskHub" | "orchestrations" | "activities" | "hostUrl" | "rpcBaseUrl"
  >
>;

/**
 * A local Durable backend on the test Azurite behind a loopback HTTP server that routes every request
 * to its management API, and a real `DurableClient` made by `df.getClient` from its binding value.
 * `restart` replaces the backend by a new one on the same hub and server (after `kill` or `stop`).
 */
export interface DurableFixture {
  hub: string;
  clients: StorageClients;
  backend: DurableBackend;
  client: DurableClient;
  origin: string;
  restart(overrides?: BackendOverrides): Promise<DurableBackend>;
  close(): Promise<void>;
}

export async function startDurable(
  definition: HubDefinition,
  overrides: BackendOverrides = {},
): Promise<DurableFixture> {
  const hub = uniqueName("hub");
  const clients = testClients();
  let current: DurableBackend | undefined;
  const server = await listen((request) => {
    if (!current) return Promise.resolve(new Response("no backend", { status: 503 }));
    return current.handleManagementRequest(request);
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the test server has no port");
  const origin = `http://127.0.0.1:${address.port}`;
  const make = (extra: BackendOverrides) =>
    createDurableBackend({
      clients,
      taskHub: hub,
      orchestrations: new Map(
        Object.entries(definition.orchestrations).map(([name, fn]) => [name, orchestratorHandler(fn)]),
      ),
      activities: new Map(Object.entries(definition.activities)),
      hostUrl: origin,
      rpcBaseUrl: `${origin}/durabletask/`,
      pollIntervalMs: 50,
      visibilityTimeoutMs: 2_000,
      log: () => {},
      ...overrides,
      ...extra,
    });
  current = make({});
  await current.start();
  const fixture: DurableFixture = {
    hub,
    clients,
    backend: current,
    client: durableClient(current),
    origin,
    async restart(extra = {}) {
      current = make(extra);
      await current.start();
      fixture.backend = current;
      return current;
    },
    async close() {
      await current?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fixture;
}

/** A `DurableClient` exactly as a function gets it: `df.getClient(context)` with the binding value. */
export function durableClient(backend: DurableBackend): DurableClient {
  const input = df.input.durableClient();
  const context = new InvocationContext({
    functionName: "client",
    invocationId: "test",
    options: { trigger: { type: "httpTrigger", name: "request" }, extraInputs: [input], extraOutputs: [] },
  });
  context.extraInputs.set(input, backend.bindingValue());
  return df.getClient(context);
}

/** Polls the status until the instance is Completed, Failed or Terminated. */
export async function waitForEnd(client: DurableClient, instanceId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.getStatus(instanceId);
    if (["Completed", "Failed", "Terminated"].includes(status.runtimeStatus)) return status;
    if (Date.now() > deadline) throw new Error(`instance ${instanceId} still ${status.runtimeStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `check` holds. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function listen(handle: (request: Request) => Promise<Response>): Promise<Server> {
  const server = createServer((req, res) => void serve(handle, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function serve(
  handle: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks);
  const response = await handle(
    new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, { method, headers, body }),
  );
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  res.end(Buffer.from(await response.arrayBuffer()));
}
