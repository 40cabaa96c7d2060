import { randomUUID } from "node:crypto";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import {
  createDurableBackend,
  type DurableBackend,
} from "../../../../src/local-host/durable/durable-backend.js";
import type { StorageClients } from "../../../../src/storage/clients.js";
import { orchestratorHandler } from "../../../support/durable-runner.js";

/** The app of the SIGKILL test, shared by the child process that is killed and the test that resumes. */
export const crashOrchestrations: Record<string, OrchestrationHandler> = {
  crashFanOut: function* (context: OrchestrationContext) {
    const { table, items } = context.df.getInput() as { table: string; items: number };
    const first: number[] = yield context.df.Task.all(
      Array.from({ length: items }, (_, index) => context.df.callActivity("slowRecord", { table, index })),
    );
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 500));
    const total: number = yield context.df.callSubOrchestrator("crashSum", first);
    return { first, total };
  },
  crashSum: function* (context: OrchestrationContext) {
    const values = context.df.getInput() as number[];
    return yield context.df.callActivity("sum", values);
  },
};

export function crashActivities(clients: StorageClients): Record<string, ActivityInvoker> {
  return {
    slowRecord: async (input) => {
      const { table, index } = input as { table: string; index: number };
      await clients.table(table).createEntity({ partitionKey: String(index), rowKey: randomUUID() });
      await new Promise((resolve) => setTimeout(resolve, 250));
      return index + 1;
    },
    sum: async (input) => (input as number[]).reduce((a, b) => a + b, 0),
  };
}

export function crashBackend(clients: StorageClients, hub: string, leaseWaitMs = 30_000): DurableBackend {
  return createDurableBackend({
    clients,
    taskHub: hub,
    orchestrations: new Map(
      Object.entries(crashOrchestrations).map(([name, fn]) => [name, orchestratorHandler(fn)]),
    ),
    activities: new Map(Object.entries(crashActivities(clients))),
    maxConcurrentActivities: 3,
    hostUrl: "http://127.0.0.1:7071",
    rpcBaseUrl: "http://127.0.0.1:7071/durabletask/",
    pollIntervalMs: 50,
    visibilityTimeoutMs: 2_000,
    leaseWaitMs,
    log: () => {},
  });
}
