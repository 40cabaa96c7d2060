import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { afterEach, describe, expect, it } from "vitest";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import { InstanceStore } from "../../../../src/local-host/durable/instance-store.js";
import { type DurableFixture, eventually, startDurable, waitForEnd } from "./durable-fixture.js";

/** Runs of the `wave` orchestrator function: one per episode (each replays the history). */
let waveRuns = 0;

const orchestrations: Record<string, OrchestrationHandler> = {
  wave: function* (context: OrchestrationContext) {
    waveRuns += 1;
    const items = context.df.getInput() as number;
    const tasks = Array.from({ length: items }, (_, index) => context.df.callActivity("work", index));
    const results: number[] = yield context.df.Task.all(tasks);
    return results;
  },
};

/** The committed version of the instance's record blob and of its table row (fresh reads, no cache). */
async function versions(fixture: DurableFixture, instanceId: string) {
  const store = new InstanceStore(fixture.clients, fixture.backend.names);
  const record = (await store.load(instanceId))?.stored.version;
  const row = (await store.readRow(instanceId))?.version;
  return { record, row };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("episodes that only consume activity answers", () => {
  let fixture: DurableFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it("are not committed on their own: a wave of 8 answers arriving one by one costs one record and one row write", async () => {
    const work: ActivityInvoker = async (input) => {
      const index = input as number;
      await sleep(60 * index);
      return index * 10;
    };
    fixture = await startDurable(
      { orchestrations, activities: { work } },
      { maxConcurrentActivities: 8, answerWindowMs: 0 },
    );
    const id = await fixture.client.startNew("wave", { input: 8 });
    const status = await waitForEnd(fixture.client, id);
    expect(status.output).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    // 1: the start (client), 2: the first episode (8 calls scheduled), 3: the episode that consumed
    // the eighth answer and completed; the seven answers before it changed nothing anyone reads.
    expect(await versions(fixture, id)).toEqual({ record: 3, row: 3 });
  });

  it("wait for the answers of their siblings still running here: one episode consumes a wave", async () => {
    const work: ActivityInvoker = async (input) => {
      const index = input as number;
      await sleep(50 * index);
      return index * 10;
    };
    fixture = await startDurable(
      { orchestrations, activities: { work } },
      { maxConcurrentActivities: 8, answerWindowMs: 5_000 },
    );
    waveRuns = 0;
    const id = await fixture.client.startNew("wave", { input: 8 });
    const status = await waitForEnd(fixture.client, id);
    expect(status.output).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(waveRuns).toBe(2); // the first episode, and the one that consumed all eight answers
  });

  it("lost in a crash are run again after recovery, and each result counts once", async () => {
    const calls: number[] = [];
    let hang = true;
    const work: ActivityInvoker = async (input) => {
      const index = input as number;
      calls.push(index);
      if (index === 2 && hang) return new Promise(() => {});
      await sleep(20 * index);
      return index * 10;
    };
    fixture = await startDurable(
      { orchestrations, activities: { work } },
      { maxConcurrentActivities: 3, answerWindowMs: 0 },
    );
    const id = await fixture.client.startNew("wave", { input: 3 });
    await eventually(
      async () => calls.length,
      (count) => count === 3,
    );
    await sleep(300); // answers 0 and 1 are consumed by episodes, not committed
    expect(await versions(fixture, id)).toEqual({ record: 2, row: 2 });
    fixture.backend.kill();

    hang = false;
    const report = await (await fixture.restart()).start();
    expect(report.activities).toBe(3);
    const status = await waitForEnd(fixture.client, id);
    expect(status.output).toEqual([0, 10, 20]);
    expect(calls.sort()).toEqual([0, 0, 1, 1, 2, 2]);
    expect(await versions(fixture, id)).toEqual({ record: 4, row: 4 });
  });

  it("are committed by a graceful stop: no answered activity runs again after the restart", async () => {
    const calls: number[] = [];
    const work: ActivityInvoker = async (input) => {
      const index = input as number;
      calls.push(index);
      await sleep(index === 0 ? 10 : 400);
      return index * 10;
    };
    fixture = await startDurable(
      { orchestrations, activities: { work } },
      { maxConcurrentActivities: 1, answerWindowMs: 0 },
    );
    const id = await fixture.client.startNew("wave", { input: 3 });
    await eventually(
      async () => calls.length,
      (count) => count === 2,
    );
    await sleep(100); // answer 0 is consumed and not committed; activity 1 runs
    expect(await versions(fixture, id)).toEqual({ record: 2, row: 2 });
    await fixture.backend.stop();

    await fixture.restart({ maxConcurrentActivities: 1 });
    const status = await waitForEnd(fixture.client, id);
    expect(status.output).toEqual([0, 10, 20]);
    expect(calls).toEqual([0, 1, 2]);
  });
});
