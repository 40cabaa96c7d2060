import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType } from "../../../../src/local-host/durable/history.js";
import { newInstance } from "../../../../src/local-host/durable/instance.js";
import type { ControlMessage } from "../../../../src/local-host/durable/messages.js";
import type { OrchestrationTriggerHandler } from "../../../../src/local-host/durable/replay-episode.js";
import { runSession, type SessionResult } from "../../../../src/local-host/durable/session.js";
import { type StoredInstance, storedInstance } from "../../../../src/local-host/durable/stored-instance.js";
import { orchestratorHandler } from "../../../support/durable-runner.js";

const orchestrations: Record<string, OrchestrationHandler> = {
  waiter: function* (context: OrchestrationContext) {
    const first = yield context.df.waitForExternalEvent("go");
    const second = yield context.df.callActivity("work", first);
    return second;
  },
  loop: function* (context: OrchestrationContext) {
    const n = Number(context.df.getInput());
    yield context.df.callActivity("work", n);
    if (n < 2) context.df.continueAsNew(n + 1);
    return n;
  },
};
const handlers = new Map<string, OrchestrationTriggerHandler>(
  Object.entries(orchestrations).map(([name, fn]) => [name, orchestratorHandler(fn)]),
);

let ids = 0;
const newId = () => `id-${++ids}`;

function fresh(name: string, input: unknown = null, parent?: { id: string; taskId: number }): StoredInstance {
  const record = newInstance({
    instanceId: "inst",
    executionId: "exec-1",
    name,
    input,
    now: new Date("2026-01-01T00:00:00Z"),
    parentInstanceId: parent?.id,
    parentTaskId: parent?.taskId,
  });
  return storedInstance(record, parent ? "parent-exec" : undefined);
}

function message(body: ControlMessage["body"], extra: Partial<ControlMessage> = {}): ControlMessage {
  return { id: newId(), instanceId: "inst", body, ...extra };
}

async function session(
  stored: StoredInstance | undefined,
  messages: ControlMessage[],
): Promise<SessionResult> {
  return runSession({
    stored,
    messages,
    handlerFor: (name) => handlers.get(name),
    now: () => new Date("2026-01-01T00:00:10Z"),
    newId,
  });
}

const types = (stored: StoredInstance | undefined) => stored?.record.history.map((e) => e.EventType) ?? [];

describe("a session of control messages", () => {
  it("runs the first episode on start and puts the work in the outbox", async () => {
    const result = await session(fresh("loop", 0), [message({ kind: "start" }, { executionId: "exec-1" })]);
    expect(result.changed).toBe(true);
    expect(result.episodes).toBe(1);
    expect(result.stored?.record.runtimeStatus).toBe("Running");
    expect(result.outbox).toMatchObject([
      {
        queue: "work",
        message: { instanceId: "inst", executionId: "exec-1", taskId: 0, name: "work", input: 0 },
      },
    ]);
  });

  it("drops messages of another execution, of a finished instance, and for no instance", async () => {
    const started = await session(fresh("loop", 0), [message({ kind: "start" })]);
    const stale = await session(started.stored, [
      message({ kind: "activityCompleted", taskId: 0, result: 1 }, { executionId: "exec-0" }),
    ]);
    expect(stale.changed).toBe(false);
    expect(stale.episodes).toBe(0);
    const none = await session(undefined, [message({ kind: "eventRaised", name: "go", input: 1 })]);
    expect(none).toMatchObject({ stored: undefined, changed: false, outbox: [] });
    const terminated = await session(started.stored, [message({ kind: "terminate", reason: "stop" })]);
    const after = await session(terminated.stored, [
      message({ kind: "activityCompleted", taskId: 0, result: 1 }),
    ]);
    expect(after.changed).toBe(false);
  });

  it("raises an event once even when its message is delivered twice", async () => {
    const started = await session(fresh("waiter"), [message({ kind: "start" })]);
    const event = message({ kind: "eventRaised", name: "go", input: "x" });
    const first = await session(started.stored, [event, event]);
    const raised = first.stored?.record.history.filter((e) => e.EventType === EventType.EventRaised);
    expect(raised).toHaveLength(1);
    const again = await session(first.stored, [event]);
    expect(again.episodes).toBe(0);
  });

  it("skips a completion for a task that is no longer open without replaying", async () => {
    const started = await session(fresh("waiter"), [message({ kind: "start" })]);
    const waiting = await session(started.stored, [message({ kind: "eventRaised", name: "go", input: 1 })]);
    const done = await session(waiting.stored, [
      message({ kind: "activityCompleted", taskId: 0, result: 2 }),
    ]);
    expect(done.stored?.record.runtimeStatus).toBe("Completed");
    const length = done.stored?.record.history.length;
    const duplicate = await session(done.stored, [
      message({ kind: "activityCompleted", taskId: 0, result: 2 }),
    ]);
    expect(duplicate.changed).toBe(false);
    expect(duplicate.stored?.record.history.length).toBe(length);
  });

  it("terminates: status, output, history, and a failure for the parent", async () => {
    const started = await session(fresh("waiter", null, { id: "parent", taskId: 4 }), [
      message({ kind: "start" }),
    ]);
    const result = await session(started.stored, [
      message({ kind: "terminate", reason: "enough" }),
      message({ kind: "eventRaised", name: "go", input: 1 }),
    ]);
    const record = result.stored?.record;
    expect(record?.runtimeStatus).toBe("Terminated");
    expect(record?.output).toBe("enough");
    expect(types(result.stored).at(-1)).toBe(EventType.ExecutionTerminated);
    expect(result.outbox).toMatchObject([
      {
        queue: "control",
        message: {
          instanceId: "parent",
          executionId: "parent-exec",
          body: { kind: "subOrchestrationFailed", taskId: 4, message: expect.stringContaining("enough") },
        },
      },
    ]);
  });

  it("holds messages while suspended and delivers them on resume", async () => {
    const started = await session(fresh("waiter"), [message({ kind: "start" })]);
    const suspended = await session(started.stored, [
      message({ kind: "suspend", reason: "pause" }),
      message({ kind: "eventRaised", name: "go", input: "held" }),
    ]);
    expect(suspended.stored?.record.runtimeStatus).toBe("Suspended");
    expect(suspended.episodes).toBe(0);
    expect(suspended.stored?.held).toHaveLength(1);
    expect(types(suspended.stored).at(-1)).toBe(EventType.ExecutionSuspended);
    const resumed = await session(suspended.stored, [message({ kind: "resume", reason: "go on" })]);
    expect(resumed.stored?.record.runtimeStatus).toBe("Running");
    expect(resumed.stored?.held).toEqual([]);
    expect(resumed.outbox).toMatchObject([{ queue: "work", message: { name: "work", input: "held" } }]);
    expect(types(resumed.stored)).toContain(EventType.ExecutionResumed);
  });

  it("suspends an instance before its first episode without writing history before ExecutionStarted", async () => {
    const suspended = await session(fresh("waiter"), [
      message({ kind: "suspend", reason: "early" }),
      message({ kind: "start" }),
    ]);
    expect(suspended.stored?.record.runtimeStatus).toBe("Suspended");
    expect(types(suspended.stored)).toEqual([]);
    const resumed = await session(suspended.stored, [message({ kind: "resume", reason: "" })]);
    expect(types(resumed.stored).slice(0, 2)).toEqual([
      EventType.OrchestratorStarted,
      EventType.ExecutionStarted,
    ]);
    expect(resumed.stored?.record.runtimeStatus).toBe("Running");
  });

  it("creates a sub-orchestration once, and refuses an id a running instance of another parent holds", async () => {
    const create = message({
      kind: "createSubOrchestration",
      name: "waiter",
      input: null,
      executionId: "child-exec",
      parentInstanceId: "p1",
      parentExecutionId: "p1-exec",
      parentTaskId: 3,
    });
    const created = await session(undefined, [create]);
    expect(created.stored?.record).toMatchObject({
      instanceId: "inst",
      executionId: "child-exec",
      parentInstanceId: "p1",
      parentTaskId: 3,
      runtimeStatus: "Running",
    });
    expect(created.stored?.parentExecutionId).toBe("p1-exec");
    const duplicate = await session(created.stored, [create]);
    expect(duplicate.changed).toBe(false);
    const other = message({
      kind: "createSubOrchestration",
      name: "waiter",
      input: null,
      executionId: "other-exec",
      parentInstanceId: "p2",
      parentExecutionId: "p2-exec",
      parentTaskId: 0,
    });
    const refused = await session(created.stored, [other]);
    expect(refused.changed).toBe(false);
    expect(refused.outbox).toMatchObject([
      {
        message: {
          instanceId: "p2",
          executionId: "p2-exec",
          body: {
            kind: "subOrchestrationFailed",
            taskId: 0,
            message: expect.stringContaining("already exists"),
          },
        },
      },
    ]);
  });

  it("fails an instance whose orchestrator is not registered", async () => {
    const result = await session(fresh("missing"), [message({ kind: "start" })]);
    expect(result.stored?.record.runtimeStatus).toBe("Failed");
    expect(String(result.stored?.record.output)).toContain("'missing' doesn't exist");
  });

  it("continues as new within a session and drops the old execution's completions", async () => {
    const started = await session(fresh("loop", 0), [message({ kind: "start" })]);
    const next = await session(started.stored, [
      message({ kind: "activityCompleted", taskId: 0, result: null }),
      message({ kind: "activityCompleted", taskId: 0, result: null }),
    ]);
    expect(next.stored?.record.input).toBe(1);
    expect(next.stored?.record.executionId).not.toBe("exec-1");
    expect(next.stored?.record.runtimeStatus).toBe("Running");
    expect(next.episodes).toBe(2);
    expect(next.outbox).toMatchObject([{ queue: "work", message: { taskId: 0, input: 1 } }]);
  });
});
