import type { HistoryEvent } from "./history.js";
import type { RetryOptionsValue } from "./orchestrator-state.js";

/** Durable runtime statuses, as the HTTP API and DurableClient name them. */
export type RuntimeStatus =
  | "Pending"
  | "Running"
  | "Completed"
  | "ContinuedAsNew"
  | "Failed"
  | "Terminated"
  | "Suspended";

/** What an open task id stands for. */
export type OpenTask =
  | { kind: "activity"; name: string; input: unknown; retry?: number }
  | { kind: "subOrchestration"; name: string; instanceId: string; input: unknown; retry?: number }
  | { kind: "timer" }
  | { kind: "retryTimer"; retry: number };

/**
 * A task called with retry options. The library gives every retry timer and every new attempt the
 * next task id, at the moment it replays the failure or the timer; the host mirrors that here.
 */
export interface RetryTracker {
  options: RetryOptionsValue;
  /** 1 before the first failure; the library fails the task once it exceeds maxNumberOfAttempts. */
  attempt: number;
}

/** Everything the host keeps of one orchestration instance. */
export interface InstanceRecord {
  instanceId: string;
  executionId: string;
  name: string;
  input: unknown;
  parentInstanceId?: string;
  /** The parent's task id for this sub-orchestration. */
  parentTaskId?: number;
  runtimeStatus: RuntimeStatus;
  createdTime: Date;
  lastUpdatedTime: Date;
  history: HistoryEvent[];
  customStatus: unknown;
  output: unknown;
  /** Leaf actions already turned into history events and work. */
  scheduledActions: number;
  /** The next task id the library will allocate. */
  nextId: number;
  /** The id of each id-taking leaf action, in action order. */
  actionIds: number[];
  openTasks: Record<number, OpenTask>;
  /** Retry state and first attempt of each task called with retry options, keyed by its first id. */
  retries: Record<number, RetryTracker>;
  firstAttempts: Record<number, OpenTask>;
}

/** A message for an instance: what happened to its work, or an event raised to it. */
export type InstanceMessage =
  | { kind: "activityCompleted"; taskId: number; result: unknown }
  | { kind: "activityFailed"; taskId: number; message: string; details: string }
  | { kind: "subOrchestrationCompleted"; taskId: number; result: unknown }
  | { kind: "subOrchestrationFailed"; taskId: number; message: string; details: string }
  | { kind: "timerFired"; timerId: number; fireAt: Date }
  | { kind: "eventRaised"; name: string; input: unknown };

/** Work an episode asks the host to do. */
export type Work =
  | { kind: "activity"; instanceId: string; taskId: number; name: string; input: unknown }
  | { kind: "timer"; instanceId: string; timerId: number; fireAt: Date }
  | {
      kind: "startSubOrchestration";
      parentInstanceId: string;
      taskId: number;
      name: string;
      instanceId: string;
      input: unknown;
    }
  | { kind: "notifyParent"; parentInstanceId: string; message: InstanceMessage };

export function newInstance(options: {
  instanceId: string;
  executionId: string;
  name: string;
  input: unknown;
  now: Date;
  parentInstanceId?: string;
  parentTaskId?: number;
}): InstanceRecord {
  return {
    instanceId: options.instanceId,
    executionId: options.executionId,
    name: options.name,
    input: options.input,
    parentInstanceId: options.parentInstanceId,
    parentTaskId: options.parentTaskId,
    runtimeStatus: "Pending",
    createdTime: options.now,
    lastUpdatedTime: options.now,
    history: [],
    customStatus: null,
    output: null,
    scheduledActions: 0,
    nextId: 0,
    actionIds: [],
    openTasks: {},
    retries: {},
    firstAttempts: {},
  };
}

/** Whether a message, once replayed, makes the library allocate a task id (retry timer or new attempt). */
export function isRetryRelated(record: InstanceRecord, message: InstanceMessage): boolean {
  if (message.kind === "timerFired") return record.openTasks[message.timerId]?.kind === "retryTimer";
  if (message.kind === "activityFailed" || message.kind === "subOrchestrationFailed") {
    const open = record.openTasks[message.taskId];
    return (open?.kind === "activity" || open?.kind === "subOrchestration") && open.retry !== undefined;
  }
  return false;
}

/**
 * The messages to deliver in the next episode: a retry-related message alone, so that the ids the
 * library allocates while replaying it are the next ones; otherwise every waiting message up to
 * the next retry-related one, so several completions cost one replay.
 */
export function nextBatch(record: InstanceRecord, pending: InstanceMessage[]): InstanceMessage[] {
  const first = pending[0];
  if (first === undefined) return [];
  if (isRetryRelated(record, first)) return [first];
  const stop = pending.findIndex((message) => isRetryRelated(record, message));
  return stop < 0 ? [...pending] : pending.slice(0, stop);
}
