import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import * as df from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType } from "../../../../src/local-host/durable/history.js";
import {
  type InstanceMessage,
  type InstanceRecord,
  newInstance,
  type Work,
} from "../../../../src/local-host/durable/instance.js";
import { replayEpisode } from "../../../../src/local-host/durable/replay-episode.js";
import { orchestratorHandler } from "../../../support/durable-runner.js";

/**
 * The library's own retry histories (azure-functions-durable-js test/testobjects/testhistories.ts,
 * GetSayHelloWithActivityRetryRetryTwo, ...RetryFanout, GetSayHelloWithSubOrchestratorRetryRetryTwo)
 * written as [event type, id] pairs; the host must produce the same sequences and results.
 */
const NAMES = new Map(Object.entries(EventType).map(([name, value]) => [value, name]));

function signature(record: InstanceRecord): string[] {
  return record.history.map((event) => {
    const name = NAMES.get(event.EventType) ?? String(event.EventType);
    const id = event.TaskScheduledId ?? event.TimerId ?? (event.EventId >= 0 ? event.EventId : undefined);
    return id === undefined ? name : `${name}(${id})`;
  });
}

const retryOptions = (first: number, attempts: number) => new df.RetryOptions(first, attempts);

const orchestrations: Record<string, OrchestrationHandler> = {
  SayHelloWithActivityRetry: function* (context: OrchestrationContext) {
    return yield context.df.callActivityWithRetry("Hello", retryOptions(10000, 2), context.df.getInput());
  },
  SayHelloWithActivityRetryFanout: function* (context: OrchestrationContext) {
    const options = retryOptions(100, 5);
    return yield context.df.Task.all([
      context.df.callActivityWithRetry("Hello", options, "Tokyo"),
      context.df.callActivityWithRetry("Hello", options, "Seattle"),
    ]);
  },
  SayHelloWithSubOrchestratorRetry: function* (context: OrchestrationContext) {
    return yield context.df.callSubOrchestratorWithRetry(
      "SayHelloWithActivity",
      retryOptions(10000, 2),
      context.df.getInput(),
      "dummy-instance",
    );
  },
};

/** Drives one instance step by step: each step delivers messages built from the work so far. */
class Driver {
  readonly record: InstanceRecord;
  readonly work: Work[] = [];
  clock = new Date("2026-01-01T00:00:00Z");
  private readonly handler;

  constructor(name: string, input: unknown) {
    const fn = orchestrations[name];
    if (!fn) throw new Error(name);
    this.handler = orchestratorHandler(fn);
    this.record = newInstance({ instanceId: "i", executionId: "e", name, input, now: this.clock });
  }

  async step(messages: InstanceMessage[] = [], advanceMs = 1_000): Promise<Work[]> {
    this.clock = new Date(this.clock.getTime() + advanceMs);
    const result = await replayEpisode({
      handler: this.handler,
      record: this.record,
      messages,
      now: this.clock,
    });
    this.work.push(...result.work);
    return result.work;
  }

  timer(timerId: number): Extract<Work, { kind: "timer" }> {
    const timer = this.work.find(
      (w): w is Extract<Work, { kind: "timer" }> => w.kind === "timer" && w.timerId === timerId,
    );
    if (!timer) throw new Error(`no timer ${timerId}`);
    return timer;
  }
}

const failure = (taskId: number): InstanceMessage => ({
  kind: "activityFailed",
  taskId,
  message: "Result: Failure",
  details: "Big stack trace here",
});

describe("retry histories match the library's test histories", () => {
  it("RetryRetryTwo: two failed attempts, a backoff timer after each, then the orchestration fails", async () => {
    const driver = new Driver("SayHelloWithActivityRetry", "World");
    await driver.step();
    await driver.step([failure(0)], 30_000);
    const firstTimer = driver.timer(1);
    expect(firstTimer.fireAt.getTime() - driver.clock.getTime()).toBe(10_000);
    await driver.step([{ kind: "timerFired", timerId: 1, fireAt: firstTimer.fireAt }], 20_000);
    await driver.step([failure(2)], 20_000);
    const secondTimer = driver.timer(3);
    expect(secondTimer.fireAt.getTime() - driver.clock.getTime()).toBe(10_000);
    await driver.step([{ kind: "timerFired", timerId: 3, fireAt: secondTimer.fireAt }], 20_000);

    expect(signature(driver.record)).toEqual([
      "OrchestratorStarted",
      "ExecutionStarted",
      "TaskScheduled(0)",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TaskFailed(0)",
      "TimerCreated(1)",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TimerFired(1)",
      "TaskScheduled(2)",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TaskFailed(2)",
      "TimerCreated(3)",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TimerFired(3)",
      "ExecutionFailed",
      "OrchestratorCompleted",
    ]);
    expect(driver.record.runtimeStatus).toBe("Failed");
    expect(String(driver.record.output)).toContain("Activity function 'Hello' failed: Result: Failure");
    expect(
      driver.work.filter((w) => w.kind === "activity").map((w) => w.kind === "activity" && w.taskId),
    ).toEqual([0, 2]);
  });

  it("RetryFanout: a failed branch retries with the next ids while the other completes", async () => {
    const driver = new Driver("SayHelloWithActivityRetryFanout", undefined);
    await driver.step();
    await driver.step([failure(0)], 100);
    await driver.step([{ kind: "activityCompleted", taskId: 1, result: "Hello, Seattle!" }], 10);
    await driver.step([{ kind: "timerFired", timerId: 2, fireAt: driver.timer(2).fireAt }], 100);
    await driver.step([{ kind: "activityCompleted", taskId: 3, result: "Hello, Tokyo!" }], 100);

    expect(signature(driver.record).filter((e) => !e.startsWith("Orchestrator"))).toEqual([
      "ExecutionStarted",
      "TaskScheduled(0)",
      "TaskScheduled(1)",
      "TaskFailed(0)",
      "TimerCreated(2)",
      "TaskCompleted(1)",
      "TimerFired(2)",
      "TaskScheduled(3)",
      "TaskCompleted(3)",
      "ExecutionCompleted",
    ]);
    expect(driver.record.output).toEqual(["Hello, Tokyo!", "Hello, Seattle!"]);
  });

  it("SubOrchestratorRetryRetryTwo: the child is started again under the same instance id", async () => {
    const driver = new Driver("SayHelloWithSubOrchestratorRetry", "World");
    await driver.step();
    const childFailed = (taskId: number): InstanceMessage => ({
      kind: "subOrchestrationFailed",
      taskId,
      message: "Result: Failure",
      details: "Big stack trace here",
    });
    await driver.step([childFailed(0)]);
    await driver.step([{ kind: "timerFired", timerId: 1, fireAt: driver.timer(1).fireAt }]);
    await driver.step([childFailed(2)]);
    await driver.step([{ kind: "timerFired", timerId: 3, fireAt: driver.timer(3).fireAt }]);

    expect(signature(driver.record).filter((e) => !e.startsWith("Orchestrator"))).toEqual([
      "ExecutionStarted",
      "SubOrchestrationInstanceCreated(0)",
      "SubOrchestrationInstanceFailed(0)",
      "TimerCreated(1)",
      "TimerFired(1)",
      "SubOrchestrationInstanceCreated(2)",
      "SubOrchestrationInstanceFailed(2)",
      "TimerCreated(3)",
      "TimerFired(3)",
      "ExecutionFailed",
    ]);
    const starts = driver.work.filter((w) => w.kind === "startSubOrchestration");
    expect(starts.map((w) => w.kind === "startSubOrchestration" && [w.taskId, w.instanceId])).toEqual([
      [0, "dummy-instance"],
      [2, "dummy-instance"],
    ]);
    expect(String(driver.record.output)).toContain("Result: Failure");
  });
});
