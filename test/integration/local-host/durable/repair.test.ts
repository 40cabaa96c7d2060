import type { OrchestrationContext } from "durable-functions";
import { afterEach, describe, expect, it } from "vitest";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import { InstanceStore } from "../../../../src/local-host/durable/instance-store.js";
import { encodeInstanceId, taskHubNames } from "../../../../src/local-host/durable/task-hub.js";
import { type DurableFixture, eventually, startDurable, waitForEnd } from "./durable-fixture.js";

/** A gate per step: the `step` activity waits until its step's gate opens. */
function gates() {
  const opened = new Map<number, () => void>();
  const waiting = new Map<number, Promise<void>>();
  const gate = (n: number) => {
    if (!waiting.has(n)) waiting.set(n, new Promise<void>((resolve) => opened.set(n, resolve)));
    return waiting.get(n) as Promise<void>;
  };
  const open = (n: number) => {
    void gate(n);
    opened.get(n)?.();
  };
  return { gate, open };
}

describe("repairing a task hub whose storage lost writes", () => {
  let fixture: DurableFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it("finishes an orchestration whose record storage rolled back behind this host's back", async () => {
    const { gate, open } = gates();
    const calls: number[] = [];
    const step: ActivityInvoker = async (input) => {
      const n = Number(input);
      calls.push(n);
      await gate(n);
      return n * 10;
    };
    fixture = await startDurable(
      {
        orchestrations: {
          twoSteps: function* (context: OrchestrationContext) {
            const first: number = yield context.df.callActivity("step", 1);
            const second: number = yield context.df.callActivity("step", 2);
            return [first, second];
          },
        },
        activities: { step },
      },
      { repairIntervalMs: 300 },
    );
    const id = await fixture.client.startNew("twoSteps");
    await eventually(
      async () => calls.length,
      (n) => n === 1,
    );
    const names = taskHubNames(fixture.hub);
    const record = fixture.clients.blob
      .getContainerClient(names.stateContainer)
      .getBlockBlobClient(`instances/${encodeInstanceId(id)}.json`);
    const before = await record.downloadToBuffer();

    open(1);
    await eventually(
      async () => calls.length,
      (n) => n === 2,
    );
    // Storage loses every write since step 1 was scheduled: its answer and step 2's scheduling.
    await record.upload(before, before.length);
    open(2);

    const status = await waitForEnd(fixture.client, id, 20_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual([10, 20]);
    expect(calls.filter((n) => n === 1).length).toBeGreaterThanOrEqual(2);
  });

  it("creates again a sub-orchestration storage lost, and its parent completes", async () => {
    const { gate, open } = gates();
    const calls: number[] = [];
    const step: ActivityInvoker = async (input) => {
      const n = Number(input);
      calls.push(n);
      await gate(n);
      return n * 10;
    };
    fixture = await startDurable(
      {
        orchestrations: {
          parent: function* (context: OrchestrationContext) {
            const child: number = yield context.df.callSubOrchestrator(
              "child",
              7,
              `${context.df.instanceId}:c`,
            );
            return child + 1;
          },
          child: function* (context: OrchestrationContext) {
            return yield context.df.callActivity("step", context.df.getInput());
          },
        },
        activities: { step },
      },
      { repairIntervalMs: 300 },
    );
    const id = await fixture.client.startNew("parent");
    await eventually(
      async () => calls.length,
      (n) => n === 1,
    );
    // Storage loses the child entirely (its record and row), while its activity still runs.
    await new InstanceStore(fixture.clients, taskHubNames(fixture.hub)).remove(`${id}:c`);
    open(7);
    const status = await waitForEnd(fixture.client, id, 20_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toBe(71);
    expect(calls).toEqual([7, 7]);
  });
});
