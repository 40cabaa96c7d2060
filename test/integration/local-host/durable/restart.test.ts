import { randomUUID } from "node:crypto";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { afterEach, describe, expect, it } from "vitest";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import { createDurableBackend } from "../../../../src/local-host/durable/durable-backend.js";
import { newInstance } from "../../../../src/local-host/durable/instance.js";
import { InstanceStore } from "../../../../src/local-host/durable/instance-store.js";
import { storedInstance } from "../../../../src/local-host/durable/stored-instance.js";
import { ensureTaskHub } from "../../../../src/local-host/durable/task-hub.js";
import { orchestratorHandler } from "../../../support/durable-runner.js";
import { testClients, uniqueName } from "../../../support/storage.js";
import { type DurableFixture, eventually, startDurable, waitForEnd } from "./durable-fixture.js";

const ITEMS = 12;

const greet: ActivityInvoker = async (input) => `hello ${String(input)}`;

const orchestrations: Record<string, OrchestrationHandler> = {
  fanOut: function* (context: OrchestrationContext) {
    const { table, items } = context.df.getInput() as { table: string; items: number };
    const tasks = Array.from({ length: items }, (_, index) =>
      context.df.callActivity("work", { table, index }),
    );
    const results: number[] = yield context.df.Task.all(tasks);
    return results;
  },
  hello: function* (context: OrchestrationContext) {
    return yield context.df.callActivity("greet", context.df.getInput());
  },
};

/**
 * The `work` activity of `fanOut`: records each call (its index) in a table of its own, waits
 * `ms`, and returns index × 10; `recorded` lists the indexes of every call made, sorted.
 */
async function recordingWork(ms: number) {
  const clients = testClients();
  const table = uniqueName("calls");
  await clients.tables.createTable(table);
  const calls = clients.table(table);
  const work: ActivityInvoker = async (input) => {
    const { index } = input as { index: number };
    await calls.createEntity({ partitionKey: String(index), rowKey: randomUUID() });
    await new Promise((resolve) => setTimeout(resolve, ms));
    return index * 10;
  };
  const recorded = async () => {
    const indexes: number[] = [];
    for await (const entity of calls.listEntities()) indexes.push(Number(entity.partitionKey));
    return indexes.sort((a, b) => a - b);
  };
  return { table, work, recorded };
}

describe("restarting the local durable backend", () => {
  let fixture: DurableFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it("resumes a fan-out after a crash: every activity result counted exactly once", async () => {
    const { table, work, recorded } = await recordingWork(300);
    fixture = await startDurable(
      { orchestrations, activities: { work } },
      { maxConcurrentActivities: 3, visibilityTimeoutMs: 2_000 },
    );
    const id = await fixture.client.startNew("fanOut", { input: { table, items: ITEMS } });
    await eventually(recorded, (indexes) => indexes.length >= 5);
    fixture.backend.kill();
    const before = await fixture.client.getStatus(id);
    expect(before.runtimeStatus).toBe("Running");

    const restarted = await fixture.restart({ maxConcurrentActivities: 3, visibilityTimeoutMs: 2_000 });
    const report = await restarted.start();
    expect(report.activities).toBeGreaterThan(0);
    const status = await waitForEnd(fixture.client, id, 30_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual(Array.from({ length: ITEMS }, (_, index) => index * 10));
    const indexes = await recorded();
    expect(new Set(indexes)).toEqual(new Set(Array.from({ length: ITEMS }, (_, index) => index)));
    expect(indexes.length).toBeGreaterThanOrEqual(ITEMS);
  });

  it("commits on a graceful stop the answers of the activities it let finish: none runs again after a restart", async () => {
    const { table, work, recorded } = await recordingWork(500);
    fixture = await startDurable({ orchestrations, activities: { work } }, { maxConcurrentActivities: 4 });
    const id = await fixture.client.startNew("fanOut", { input: { table, items: 4 } });
    await eventually(recorded, (indexes) => indexes.length === 4);
    await fixture.backend.stop();

    await fixture.restart({ maxConcurrentActivities: 4 });
    const status = await waitForEnd(fixture.client, id, 30_000);
    expect(status.output).toEqual([0, 10, 20, 30]);
    expect(await recorded()).toEqual([0, 1, 2, 3]);
  });

  it("does not count a graceful stop as a restart of the activities that were waiting", async () => {
    const counts: number[] = [];
    const slow: ActivityInvoker = async (input, call) => {
      counts.push(call.dequeueCount);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return input;
    };
    const three: Record<string, OrchestrationHandler> = {
      three: function* (context: OrchestrationContext) {
        return yield context.df.Task.all([0, 1, 2].map((i) => context.df.callActivity("slow", i)));
      },
    };
    fixture = await startDurable(
      { orchestrations: three, activities: { slow } },
      { maxConcurrentActivities: 1 },
    );
    const id = await fixture.client.startNew("three");
    await eventually(
      async () => counts.length,
      (started) => started === 1,
    );
    await fixture.backend.stop();
    const restarted = await fixture.restart({ maxConcurrentActivities: 1 });
    expect((await restarted.start()).activities).toBe(2);
    expect((await waitForEnd(fixture.client, id, 30_000)).output).toEqual([0, 1, 2]);
    expect(counts).toEqual([1, 1, 1]);
  });

  it("fails an activity whose host died every time it ran, after ten starts, with a message saying so", async () => {
    const started: number[] = [];
    const hang: ActivityInvoker = (_input, call) => {
      started.push(call.dequeueCount);
      return new Promise(() => {});
    };
    const catching: Record<string, OrchestrationHandler> = {
      poisoned: function* (context: OrchestrationContext) {
        try {
          yield context.df.callActivity("hang", null);
          return "answered";
        } catch (error) {
          return (error as Error).message;
        }
      },
    };
    fixture = await startDurable({ orchestrations: catching, activities: { hang } });
    const id = await fixture.client.startNew("poisoned");
    for (let kill = 1; kill <= 10; kill++) {
      await eventually(
        async () => started.length,
        (count) => count === kill,
      );
      fixture.backend.kill();
      await fixture.restart();
    }
    const status = await waitForEnd(fixture.client, id, 30_000);
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(status.output).toContain("was started 10 times and its host stopped each time");
  });

  it("finishes a commit a crash interrupted: the saved outbox is sent on start", async () => {
    const clients = testClients();
    const hub = uniqueName("hub");
    const backend = createDurableBackend({
      clients,
      taskHub: hub,
      orchestrations: new Map([["hello", orchestratorHandler(orchestrations.hello as OrchestrationHandler)]]),
      activities: new Map([["greet", greet]]),
      hostUrl: "http://127.0.0.1:7071",
      rpcBaseUrl: "http://127.0.0.1:7071/durabletask/",
      pollIntervalMs: 50,
      log: () => {},
    });
    await ensureTaskHub(clients, backend.names);
    const store = new InstanceStore(clients, backend.names);
    const executionId = randomUUID();
    const stored = storedInstance(
      newInstance({ instanceId: "half", executionId, name: "hello", input: "again", now: new Date() }),
    );
    stored.outbox = [
      {
        queue: "control",
        message: { id: randomUUID(), instanceId: "half", executionId, body: { kind: "start" } },
      },
    ];
    await store.save(stored, undefined);
    await store.table.upsertEntity({
      partitionKey: "orphan",
      rowKey: "",
      name: "hello",
      runtimeStatus: "Completed",
      createdTime: new Date(),
      lastUpdatedTime: new Date(),
      executionId: "x",
      version: 1,
    });
    expect(await backend.client.status("half")).toBeUndefined();
    await backend.client.start("hello", { instanceId: "whole", input: "whole" });

    const report = await backend.start();
    try {
      expect(report).toEqual({ resumed: ["half"], orphanRows: ["orphan"], activities: 0 });
      const status = await eventually(
        () => backend.client.status("half"),
        (s) => s?.runtimeStatus === "Completed",
      );
      expect(status?.output).toBe("hello again");
      const whole = await eventually(
        () => backend.client.status("whole"),
        (s) => s?.runtimeStatus === "Completed",
      );
      expect(whole?.output).toBe("hello whole");
      expect(await store.readRow("orphan")).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });

  it("keeps a second host off a hub a live host runs, and lets it take over a killed one", async () => {
    fixture = await startDurable({ orchestrations, activities: { greet } });
    const second = () =>
      createDurableBackend({
        clients: fixture?.clients ?? testClients(),
        taskHub: fixture?.hub ?? "missing",
        orchestrations: new Map(),
        activities: new Map(),
        hostUrl: "http://127.0.0.1:7071",
        rpcBaseUrl: "http://127.0.0.1:7071/durabletask/",
        leaseWaitMs: 1_500,
        log: () => {},
      });
    await expect(second().start()).rejects.toMatchObject({ code: "TaskHubInUse" });
    fixture.backend.kill();
    const taker = second();
    await taker.start();
    await taker.stop();
    await fixture.restart();
    const id = await fixture.client.startNew("hello", { input: "after takeover" });
    expect((await waitForEnd(fixture.client, id)).output).toBe("hello after takeover");
  });
});
