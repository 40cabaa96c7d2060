import type { LogHandler } from "@azure/functions";
import { history } from "./history.js";
import { type InstanceMessage, type InstanceRecord, newInstance, nextBatch } from "./instance.js";
import { type ControlMessage, type InstanceOperation, isInstanceMessage, type Outbound } from "./messages.js";
import { type IdSource, outboundFor, toParent } from "./outbound.js";
import { type OrchestrationTriggerHandler, replayEpisode } from "./replay-episode.js";
import { isTerminal, type StoredInstance, storedInstance } from "./stored-instance.js";

/** Raised-event ids remembered per instance, to drop a redelivered event. */
const SEEN_EVENTS_KEPT = 200;

export interface SessionOptions {
  /** The instance as last committed (a private copy), or undefined when it does not exist. */
  stored: StoredInstance | undefined;
  /** Messages for this instance, in arrival order. */
  messages: ControlMessage[];
  handlerFor: (name: string) => OrchestrationTriggerHandler | undefined;
  now: () => Date;
  newId: IdSource;
  logHandler?: LogHandler;
}

export interface SessionResult {
  stored: StoredInstance | undefined;
  /** The record changed and must be committed before the outbox is sent. */
  changed: boolean;
  outbox: Outbound[];
  episodes: number;
}

/**
 * Applies a batch of control messages to one instance, the Durable extension's way: creates
 * sub-orchestrations, drops messages of other executions and of finished instances, applies
 * terminate / suspend / resume, holds messages while suspended, and runs as few episodes as the
 * retry rules allow (see `nextBatch`). Pure apart from calling the orchestrator.
 */
export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const state: SessionState = {
    options,
    stored: options.stored,
    changed: false,
    outbox: [],
    pending: [],
    episodes: 0,
  };
  for (const message of options.messages) {
    const body = message.body;
    if (body.kind === "createSubOrchestration") {
      createChild(state, message, body);
      continue;
    }
    const stored = state.stored;
    if (!stored) continue;
    const record = stored.record;
    if (message.executionId !== undefined && message.executionId !== record.executionId) continue;
    if (isTerminal(record.runtimeStatus)) continue;
    if (isInstanceMessage(body)) {
      receive(state, stored, message, body);
      continue;
    }
    if (body.kind === "terminate") terminate(state, stored, body.reason);
    else if (body.kind === "suspend") {
      if (record.history.length > 0) await runEpisodes(state);
      suspend(state, record, body.reason);
    } else if (body.kind === "resume") resume(state, stored, body.reason);
  }
  await runEpisodes(state);
  return { stored: state.stored, changed: state.changed, outbox: state.outbox, episodes: state.episodes };
}

interface SessionState {
  options: SessionOptions;
  stored: StoredInstance | undefined;
  changed: boolean;
  outbox: Outbound[];
  pending: InstanceMessage[];
  episodes: number;
}

function receive(
  state: SessionState,
  stored: StoredInstance,
  message: ControlMessage,
  body: InstanceMessage,
): void {
  if (body.kind === "eventRaised") {
    if (stored.seenEvents.includes(message.id)) return;
    stored.seenEvents = [...stored.seenEvents, message.id].slice(-SEEN_EVENTS_KEPT);
    state.changed = true;
  }
  if (stored.record.runtimeStatus === "Suspended") {
    stored.held.push(message);
    state.changed = true;
  } else {
    state.pending.push(body);
  }
}

/** Runs episodes until no deliverable message is left (and the first one of a new execution). */
async function runEpisodes(state: SessionState): Promise<void> {
  const stored = state.stored;
  if (!stored) return;
  const record = stored.record;
  const { options } = state;
  while (!isTerminal(record.runtimeStatus) && record.runtimeStatus !== "Suspended") {
    state.pending = state.pending.filter((message) => isOpen(record, message));
    if (record.history.length > 0 && state.pending.length === 0) return;
    const batch = nextBatch(record, state.pending);
    state.pending = state.pending.slice(batch.length);
    const handler = options.handlerFor(record.name) ?? unknownOrchestrator(record.name);
    const result = await replayEpisode({
      handler,
      record,
      messages: batch,
      now: options.now(),
      logHandler: options.logHandler,
    });
    state.episodes += 1;
    state.changed = true;
    for (const work of result.work) state.outbox.push(outboundFor(stored, work, options.newId));
    if (result.continuedAsNew) state.pending = state.pending.filter((m) => m.kind === "eventRaised");
  }
}

/** Whether a message still has a reader: its task or timer is open, or it is a raised event. */
function isOpen(record: InstanceRecord, message: InstanceMessage): boolean {
  if (message.kind === "eventRaised") return true;
  const id = message.kind === "timerFired" ? message.timerId : message.taskId;
  return record.openTasks[id] !== undefined;
}

function unknownOrchestrator(name: string): OrchestrationTriggerHandler {
  return () => {
    throw new Error(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
  };
}

function createChild(
  state: SessionState,
  message: ControlMessage,
  body: Extract<InstanceOperation, { kind: "createSubOrchestration" }>,
): void {
  const existing = state.stored?.record;
  if (existing && !isTerminal(existing.runtimeStatus)) {
    const sameCall =
      existing.parentInstanceId === body.parentInstanceId && existing.parentTaskId === body.parentTaskId;
    if (sameCall) return;
    state.outbox.push({
      queue: "control",
      message: {
        id: state.options.newId(),
        instanceId: body.parentInstanceId,
        executionId: body.parentExecutionId,
        body: {
          kind: "subOrchestrationFailed",
          taskId: body.parentTaskId,
          message: `An orchestration with instance ID '${message.instanceId}' already exists.`,
          details: "",
        },
      },
    });
    return;
  }
  if (existing && existing.executionId === body.executionId) return;
  const record = newInstance({
    instanceId: message.instanceId,
    executionId: body.executionId,
    name: body.name,
    input: body.input,
    now: state.options.now(),
    parentInstanceId: body.parentInstanceId,
    parentTaskId: body.parentTaskId,
  });
  const fresh = storedInstance(record, body.parentExecutionId);
  fresh.version = state.stored?.version ?? 0;
  state.stored = fresh;
  state.pending = [];
  state.changed = true;
}

function terminate(state: SessionState, stored: StoredInstance, reason: string): void {
  const { record } = stored;
  const now = state.options.now();
  record.runtimeStatus = "Terminated";
  record.output = reason;
  record.openTasks = {};
  record.lastUpdatedTime = now;
  if (record.history.length > 0) record.history.push(history.executionTerminated(now, reason));
  stored.held = [];
  state.pending = [];
  state.changed = true;
  if (record.parentInstanceId !== undefined && record.parentTaskId !== undefined) {
    const message: InstanceMessage = {
      kind: "subOrchestrationFailed",
      taskId: record.parentTaskId,
      message: `Sub-orchestration '${record.name}' (${record.instanceId}) was terminated: ${reason}`,
      details: "",
    };
    state.outbox.push(toParent(stored, record.parentInstanceId, message, state.options.newId));
  }
}

function suspend(state: SessionState, record: InstanceRecord, reason: string): void {
  if (isTerminal(record.runtimeStatus) || record.runtimeStatus === "Suspended") return;
  const now = state.options.now();
  if (record.history.length > 0) record.history.push(history.executionSuspended(now, reason));
  record.runtimeStatus = "Suspended";
  record.lastUpdatedTime = now;
  state.changed = true;
}

function resume(state: SessionState, stored: StoredInstance, reason: string): void {
  const { record } = stored;
  if (record.runtimeStatus !== "Suspended") return;
  const now = state.options.now();
  const started = record.history.length > 0;
  if (started) record.history.push(history.executionResumed(now, reason));
  record.runtimeStatus = started ? "Running" : "Pending";
  record.lastUpdatedTime = now;
  for (const held of stored.held) if (isInstanceMessage(held.body)) state.pending.push(held.body);
  stored.held = [];
  state.changed = true;
}
