import type { QueueClient, QueueServiceClient } from "@azure/storage-queue";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { describe, expect, it } from "vitest";
import { createDurableBackend } from "../../../../src/local-host/durable/durable-backend.js";
import type { StorageClients } from "../../../../src/storage/clients.js";
import { orchestratorHandler } from "../../../support/durable-runner.js";
import { testClients, uniqueName } from "../../../support/storage.js";
import { eventually } from "./durable-fixture.js";

/** The real clients, with every receive from a queue counted (the calls still go to Azurite). */
function countingReceives(clients: StorageClients): { clients: StorageClients; receives: () => number } {
  let receives = 0;
  const queue = new Proxy(clients.queue, {
    get(target, property, receiver) {
      if (property !== "getQueueClient") return Reflect.get(target, property, receiver);
      return (name: string): QueueClient => {
        const client = target.getQueueClient(name);
        const receive = client.receiveMessages.bind(client);
        client.receiveMessages = (options) => {
          receives += 1;
          return receive(options);
        };
        return client;
      };
    },
  }) as QueueServiceClient;
  return { clients: { ...clients, queue }, receives: () => receives };
}

const hello: OrchestrationHandler = function* (context: OrchestrationContext) {
  return yield context.df.callActivity("greet", context.df.getInput());
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the control queue of an idle hub", () => {
  it("is polled less and less often while nothing arrives, and a start after the pause still runs", async () => {
    const counted = countingReceives(testClients());
    const backend = createDurableBackend({
      clients: counted.clients,
      taskHub: uniqueName("hub"),
      orchestrations: new Map([["hello", orchestratorHandler(hello)]]),
      activities: new Map([["greet", async (input: unknown) => `hello ${String(input)}`]]),
      hostUrl: "http://127.0.0.1:7071",
      rpcBaseUrl: "http://127.0.0.1:7071/durabletask/",
      pollIntervalMs: 50,
      repairIntervalMs: 0,
      log: () => {},
    });
    await backend.start();
    try {
      await sleep(3_000);
      // 50 ms apart, three idle seconds took ~60 receives; doubling up to 1 s takes about 8
      expect(counted.receives()).toBeLessThan(15);
      await backend.client.start("hello", { instanceId: "after-idle", input: "again" });
      const status = await eventually(
        () => backend.client.status("after-idle"),
        (s) => s?.runtimeStatus === "Completed",
      );
      expect(status?.output).toBe("hello again");
    } finally {
      await backend.stop();
    }
  });
});
