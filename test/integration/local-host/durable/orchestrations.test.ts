import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import * as df from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import { type DurableFixture, eventually, startDurable, waitForEnd } from "./durable-fixture.js";

/** Attempts per key of the `flaky` activity, which fails `failures` times before it succeeds. */
const attempts = new Map<string, number>();

const activities: Record<string, ActivityInvoker> = {
  hello: async (input) => `Hello, ${String(input)}!`,
  double: async (input) => Number(input) * 2,
  fail: async (input) => {
    throw new Error(`it failed on ${String(input)}`);
  },
  flaky: async (input) => {
    const { key, failures } = input as { key: string; failures: number };
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    if (attempt <= failures) throw new Error(`flaky attempt ${attempt} failed`);
    return `${key} succeeded on attempt ${attempt}`;
  },
  big: async (input) => "x".repeat(Number(input)),
};

function retryOptions(first: number, max: number, coefficient = 1): df.RetryOptions {
  const options = new df.RetryOptions(first, max);
  options.backoffCoefficient = coefficient;
  return options;
}

const orchestrations: Record<string, OrchestrationHandler> = {
  chain: function* (context: OrchestrationContext) {
    const cities = ["Tokyo", "Seattle", "London"];
    const greetings: unknown[] = [];
    for (const city of cities) greetings.push(yield context.df.callActivity("hello", city));
    return greetings;
  },
  fanOut: function* (context: OrchestrationContext) {
    const count = Number(context.df.getInput());
    const tasks = Array.from({ length: count }, (_, i) => context.df.callActivity("double", i));
    const results: number[] = yield context.df.Task.all(tasks);
    return { results, sum: results.reduce((a, b) => a + b, 0) };
  },
  caught: function* (context: OrchestrationContext) {
    try {
      yield context.df.callActivity("fail", "purpose");
      return "not reached";
    } catch (thrown) {
      return `caught: ${(thrown as Error).message}`;
    }
  },
  retried: function* (context: OrchestrationContext) {
    const input = context.df.getInput() as { key: string; failures: number; max: number };
    return yield context.df.callActivityWithRetry("flaky", retryOptions(200, input.max, 2), input);
  },
  timer: function* (context: OrchestrationContext) {
    const start = context.df.currentUtcDateTime;
    yield context.df.createTimer(new Date(start.getTime() + 1_200));
    return context.df.currentUtcDateTime.getTime() - start.getTime() >= 1_200;
  },
  eventOrTimeout: function* (context: OrchestrationContext) {
    const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
    const event = context.df.waitForExternalEvent("approval");
    const winner = yield context.df.Task.any([event, deadline]);
    if (winner === event) {
      deadline.cancel();
      return { approved: event.result };
    }
    return "timed out";
  },
  parent: function* (context: OrchestrationContext) {
    const child = yield context.df.callSubOrchestrator("child", 21);
    const named = yield context.df.callSubOrchestrator("child", 5, `${context.df.instanceId}-named`);
    return { child, named };
  },
  child: function* (context: OrchestrationContext) {
    return yield context.df.callActivity("double", context.df.getInput());
  },
  parentWithRetry: function* (context: OrchestrationContext) {
    const key = String(context.df.getInput());
    return yield context.df.callSubOrchestratorWithRetry("flakyChild", retryOptions(200, 3), key);
  },
  flakyChild: function* (context: OrchestrationContext) {
    const key = String(context.df.getInput());
    return yield context.df.callActivity("flaky", { key, failures: 1 });
  },
  approval: function* (context: OrchestrationContext) {
    context.df.setCustomStatus({ stage: "waiting" });
    const first = yield context.df.waitForExternalEvent("approval");
    context.df.setCustomStatus({ stage: "second" });
    const second = yield context.df.waitForExternalEvent("approval");
    return [first, second];
  },
  counter: function* (context: OrchestrationContext) {
    const state = context.df.getInput() as { n: number; seen: number[] };
    const doubled: number = yield context.df.callActivity("double", state.n);
    const seen = [...state.seen, doubled];
    if (state.n < 3) {
      context.df.continueAsNew({ n: state.n + 1, seen });
      return undefined;
    }
    return seen;
  },
  large: function* (context: OrchestrationContext) {
    const text: string = yield context.df.callActivity("big", context.df.getInput());
    return text;
  },
};

describe("local durable backend runs orchestrations written with durable-functions", () => {
  let fixture: DurableFixture;
  beforeAll(async () => {
    fixture = await startDurable({ orchestrations, activities });
  });
  afterAll(() => fixture.close());

  const run = async (name: string, input?: unknown) => {
    const instanceId = await fixture.client.startNew(name, { input });
    return waitForEnd(fixture.client, instanceId);
  };

  it("chains activities", async () => {
    const status = await run("chain");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual(["Hello, Tokyo!", "Hello, Seattle!", "Hello, London!"]);
  });

  it("fans out and in with Task.all, in task order", async () => {
    const status = await run("fanOut", 25);
    expect(status.output).toEqual({ results: Array.from({ length: 25 }, (_, i) => i * 2), sum: 600 });
  });

  it("lets the orchestrator catch an activity failure, with the extension's reason", async () => {
    const status = await run("caught");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toMatch(/^caught: Activity function 'fail' failed: it failed on purpose/);
  });

  it("retries an activity with backoff: two failures, then success", async () => {
    const instanceId = await fixture.client.startNew("retried", {
      input: { key: "twice", failures: 2, max: 3 },
    });
    const status = await waitForEnd(fixture.client, instanceId);
    expect(status.output).toBe("twice succeeded on attempt 3");
    const withHistory = await fixture.client.getStatus(instanceId, { showHistory: true });
    expect(withHistory.history).toBeUndefined(); // the library reads `history`, the extension sends `historyEvents`
    const raw = await fetch(`${fixture.origin}/durabletask/instances/${instanceId}?showHistory=true`);
    const body = (await raw.json()) as { historyEvents: Array<Record<string, string>> };
    const timers = body.historyEvents.filter((e) => e.EventType === "TimerCreated");
    const delays = timers.map((e) => Date.parse(String(e.FireAt)) - Date.parse(String(e.Timestamp)));
    expect(delays).toEqual([200, 400]);
    expect(body.historyEvents.filter((e) => e.EventType === "TaskFailed")).toHaveLength(2);
  });

  it("fails the orchestration when retries are exhausted, with the activity's message", async () => {
    const status = await run("retried", { key: "always", failures: 99, max: 2 });
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toContain("Activity function 'flaky' failed: flaky attempt 2 failed");
    expect(attempts.get("always")).toBe(2);
  });

  it("fires durable timers no earlier than asked", async () => {
    const status = await run("timer");
    expect(status.output).toBe(true);
  });

  it("cancels the timeout timer when the event wins a Task.any", async () => {
    const instanceId = await fixture.client.startNew("eventOrTimeout");
    await eventually(
      () => fixture.client.getStatus(instanceId),
      (s) => s.runtimeStatus === "Running",
    );
    await fixture.client.raiseEvent(instanceId, "approval", { by: "ana" });
    const status = await waitForEnd(fixture.client, instanceId);
    expect(status.output).toEqual({ approved: { by: "ana" } });
  });

  it("runs sub-orchestrations, with generated and given instance ids", async () => {
    const instanceId = await fixture.client.startNew("parent");
    const status = await waitForEnd(fixture.client, instanceId);
    expect(status.output).toEqual({ child: 42, named: 10 });
    const generated = await fixture.client.getStatus(`${instanceId}:0`);
    expect(generated).toMatchObject({ name: "child", runtimeStatus: "Completed", input: 21, output: 42 });
    const named = await fixture.client.getStatus(`${instanceId}-named`);
    expect(named).toMatchObject({ name: "child", output: 10 });
  });

  it("retries a failed sub-orchestration", async () => {
    const status = await run("parentWithRetry", "sub-retry");
    expect(status.output).toBe("sub-retry succeeded on attempt 2");
  });

  it("delivers external events in order and shows the custom status", async () => {
    const instanceId = await fixture.client.startNew("approval");
    const waiting = await eventually(
      () => fixture.client.getStatus(instanceId),
      (s) => s.runtimeStatus === "Running",
    );
    expect(waiting.customStatus).toEqual({ stage: "waiting" });
    await fixture.client.raiseEvent(instanceId, "approval", 1);
    await eventually(
      () => fixture.client.getStatus(instanceId),
      (s) => JSON.stringify(s.customStatus) === JSON.stringify({ stage: "second" }),
    );
    await fixture.client.raiseEvent(instanceId, "approval", 2);
    const status = await waitForEnd(fixture.client, instanceId);
    expect(status.output).toEqual([1, 2]);
  });

  it("continues as new with the new input until done", async () => {
    const status = await run("counter", { n: 0, seen: [] });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual([0, 2, 4, 6]);
    expect(status.input).toEqual({ n: 3, seen: [0, 2, 4] });
  });

  it("carries results over the queue limit through blobs", async () => {
    const status = await run("large", 200_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(String(status.output)).toHaveLength(200_000);
  });
});
