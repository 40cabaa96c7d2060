import { createRequire } from "node:module";
import type { OrchestrationHandler } from "durable-functions";
import {
  type InstanceMessage,
  type InstanceRecord,
  newInstance,
  nextBatch,
  type Work,
} from "../../src/local-host/durable/instance.js";
import {
  type OrchestrationTriggerHandler,
  replayEpisode,
} from "../../src/local-host/durable/replay-episode.js";

const require = createRequire(import.meta.url);
const testing: {
  createOrchestrator(fn: OrchestrationHandler): OrchestrationTriggerHandler;
} = require("durable-functions/lib/src/util/testingUtils.js");

/** Wraps a generator the way `df.app.orchestration` does (the library's own Orchestrator). */
export function orchestratorHandler(fn: OrchestrationHandler): OrchestrationTriggerHandler {
  return testing.createOrchestrator(fn);
}

export type ActivityFn = (
  input: unknown,
  call: { instanceId: string; taskId: number },
) => Promise<unknown> | unknown;

export interface RunOptions {
  orchestrations: Record<string, OrchestrationHandler>;
  activities: Record<string, ActivityFn>;
  name: string;
  input: unknown;
  instanceId?: string;
  /** Completion order of the activities waiting to run: oldest first (default) or newest first. */
  order?: "fifo" | "lifo";
  /** Called after every episode, e.g. to raise an event. */
  onEpisode?: (record: InstanceRecord, raise: (instanceId: string, message: InstanceMessage) => void) => void;
}

export interface RunResult {
  root: InstanceRecord;
  instances: Map<string, InstanceRecord>;
  /** Activity calls in the order they ran: name and input. */
  calls: Array<{ name: string; input: unknown; instanceId: string }>;
  /** The most activities that were scheduled and not yet finished at any moment, per instance. */
  maxInFlight: Map<string, number>;
  episodes: number;
}

/**
 * An in-memory orchestration service with a virtual clock, driving the real library through the
 * local host's episode loop: activities run one at a time in a chosen order, timers fire when
 * nothing else is ready, sub-orchestrations run as their own instances.
 */
export async function runOrchestration(options: RunOptions): Promise<RunResult> {
  const handlers = new Map(
    Object.entries(options.orchestrations).map(([n, fn]) => [n, orchestratorHandler(fn)]),
  );
  const instances = new Map<string, InstanceRecord>();
  const inboxes = new Map<string, InstanceMessage[]>();
  const activities: Array<Extract<Work, { kind: "activity" }>> = [];
  const timers: Array<Extract<Work, { kind: "timer" }>> = [];
  const calls: RunResult["calls"] = [];
  const maxInFlight = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let clock = new Date("2026-01-01T00:00:00Z");
  let episodes = 0;
  const ready = new Set<string>();

  const raise = (instanceId: string, message: InstanceMessage) => {
    inboxes.get(instanceId)?.push(message);
    ready.add(instanceId);
  };
  const start = (
    name: string,
    instanceId: string,
    input: unknown,
    parent?: { id: string; taskId: number },
  ) => {
    const record = newInstance({
      instanceId,
      executionId: `${instanceId}-e`,
      name,
      input,
      now: clock,
      parentInstanceId: parent?.id,
      parentTaskId: parent?.taskId,
    });
    instances.set(instanceId, record);
    inboxes.set(instanceId, []);
    ready.add(instanceId);
  };
  const rootId = options.instanceId ?? "root";
  start(options.name, rootId, options.input);

  const finished = (id: string) =>
    ["Completed", "Failed", "Terminated"].includes(instances.get(id)?.runtimeStatus ?? "");
  while (!finished(rootId)) {
    const id = [...ready][0];
    if (id !== undefined) {
      ready.delete(id);
      const record = instances.get(id);
      const handler = record && handlers.get(record.name);
      if (!record || !handler || finished(id)) continue;
      const inbox = inboxes.get(id) ?? [];
      const batch = record.history.length === 0 ? [] : nextBatch(record, inbox);
      if (record.history.length > 0 && batch.length === 0) continue;
      inbox.splice(0, batch.length);
      if (inbox.length > 0) ready.add(id);
      const result = await replayEpisode({ handler, record, messages: batch, now: clock });
      episodes += 1;
      if (result.continuedAsNew) ready.add(id);
      for (const item of result.work) {
        if (item.kind === "activity") {
          activities.push(item);
          const open = (inFlight.get(item.instanceId) ?? 0) + 1;
          inFlight.set(item.instanceId, open);
          maxInFlight.set(item.instanceId, Math.max(maxInFlight.get(item.instanceId) ?? 0, open));
        } else if (item.kind === "timer") timers.push(item);
        else if (item.kind === "startSubOrchestration")
          start(item.name, item.instanceId, item.input, { id: item.parentInstanceId, taskId: item.taskId });
        else raise(item.parentInstanceId, item.message);
      }
      options.onEpisode?.(record, raise);
      continue;
    }
    const activity = options.order === "lifo" ? activities.pop() : activities.shift();
    if (activity !== undefined) {
      inFlight.set(activity.instanceId, (inFlight.get(activity.instanceId) ?? 1) - 1);
      calls.push({ name: activity.name, input: activity.input, instanceId: activity.instanceId });
      const fn = options.activities[activity.name];
      try {
        if (!fn) throw new Error(`no activity named ${activity.name}`);
        const result = await fn(activity.input, { instanceId: activity.instanceId, taskId: activity.taskId });
        raise(activity.instanceId, { kind: "activityCompleted", taskId: activity.taskId, result });
      } catch (thrown) {
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        raise(activity.instanceId, { kind: "activityFailed", taskId: activity.taskId, message, details: "" });
      }
      continue;
    }
    timers.sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
    const timer = timers.shift();
    if (timer === undefined) throw new Error(`orchestration '${rootId}' is stuck: no work and not finished`);
    if (timer.fireAt > clock) clock = timer.fireAt;
    raise(timer.instanceId, { kind: "timerFired", timerId: timer.timerId, fireAt: timer.fireAt });
  }
  const root = instances.get(rootId);
  if (!root) throw new Error("root instance vanished");
  return { root, instances, calls, maxInFlight, episodes };
}
