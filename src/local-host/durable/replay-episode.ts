import { randomUUID } from "node:crypto";
// Default import: @azure/functions is CommonJS and Node's ESM loader does not see its classes by name.
import azureFunctions, { type InvocationContext, type LogHandler } from "@azure/functions";
import { type HistoryEvent, history } from "./history.js";
import type { InstanceMessage, InstanceRecord, OpenTask, Work } from "./instance.js";
import {
  ActionType,
  actionInput,
  answerFromFailure,
  answerFromState,
  type EpisodeAnswer,
  type LeafAction,
  takesId,
} from "./orchestrator-state.js";
import { scheduleNextAttempt, scheduleRetryTimer } from "./retry-attempts.js";

/** The registered orchestration handler: the library's Orchestrator (`createOrchestrator(fn)`). */
export type OrchestrationTriggerHandler = (triggerInput: unknown, context: InvocationContext) => unknown;

export interface EpisodeOptions {
  handler: OrchestrationTriggerHandler;
  record: InstanceRecord;
  messages: InstanceMessage[];
  now: Date;
  logHandler?: LogHandler;
}

export interface EpisodeResult {
  work: Work[];
  /** The instance continued as new: run another episode right away. */
  continuedAsNew: boolean;
}

/**
 * Runs one episode of an orchestration instance, the extension's way (durable-protocol.md §8):
 * appends OrchestratorStarted and the delivered events, replays the whole history through the
 * library, then turns the new actions into history events and work. Mutates `record`; the caller
 * persists it before doing any of the work, so a crash resumes from history.
 */
export async function replayEpisode(options: EpisodeOptions): Promise<EpisodeResult> {
  const { record, now } = options;
  const replaying = record.history.length > 0;
  const work: Work[] = [];
  const after: HistoryEvent[] = [];

  record.history.push(history.orchestratorStarted(now));
  if (!replaying) {
    record.history.push(
      history.executionStarted({
        now,
        name: record.name,
        input: record.input,
        instanceId: record.instanceId,
        executionId: record.executionId,
        parentInstanceId: record.parentInstanceId,
      }),
    );
  }
  for (const message of options.messages) deliver(record, message, now, after, work);

  const answer = await callHandler(options, replaying);
  record.history.push(...after);
  record.customStatus = answer.customStatus ?? null;
  record.lastUpdatedTime = now;

  if (answer.error !== undefined) {
    fail(record, answer.error, now, work);
    return done(record, now, work, false);
  }
  const newActions = answer.actions.slice(record.scheduledActions);
  record.scheduledActions = answer.actions.length;
  for (const action of newActions) {
    const problem = schedule(record, action, now, work);
    if (problem) {
      fail(record, problem, now, work);
      return done(record, now, work, false);
    }
  }
  cancelTimers(record, answer);

  if (answer.isDone) {
    const continueAs = answer.actions.find((a) => a.actionType === ActionType.ContinueAsNew);
    if (continueAs && "input" in continueAs) {
      continueAsNew(record, actionInput(continueAs.input), now);
      return done(record, now, [], true);
    }
    record.runtimeStatus = "Completed";
    record.output = answer.output ?? null;
    record.history.push(history.executionCompleted(now, answer.output));
    notifyParent(record, work, { completed: true, result: answer.output });
  } else {
    record.runtimeStatus = "Running";
  }
  return done(record, now, work, false);
}

/** Closes the episode the way DTFx histories do: scheduled and closing events, then OrchestratorCompleted. */
function done(record: InstanceRecord, now: Date, work: Work[], continuedAsNew: boolean): EpisodeResult {
  if (!continuedAsNew) record.history.push(history.orchestratorCompleted(now));
  for (const event of record.history) event.IsPlayed = true;
  return { work, continuedAsNew };
}

async function callHandler(options: EpisodeOptions, replaying: boolean): Promise<EpisodeAnswer> {
  const { record } = options;
  const triggerInput = {
    history: record.history,
    input: record.input,
    instanceId: record.instanceId,
    isReplaying: replaying,
    parentInstanceId: record.parentInstanceId ?? "",
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: "3.00:00:00",
    maximumShortTimerDuration: "6.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  const context = new azureFunctions.InvocationContext({
    functionName: record.name,
    invocationId: randomUUID(),
    options: {
      trigger: { type: "orchestrationTrigger", name: "context" },
      extraInputs: [],
      extraOutputs: [],
    },
    logHandler: options.logHandler ?? (() => {}),
  });
  try {
    return answerFromState(await options.handler(triggerInput, context));
  } catch (thrown) {
    return answerFromFailure(thrown);
  }
}

/** Appends the event of one message, and mirrors the ids the library allocates for retries. */
function deliver(
  record: InstanceRecord,
  message: InstanceMessage,
  now: Date,
  after: HistoryEvent[],
  work: Work[],
): void {
  if (message.kind === "eventRaised") {
    record.history.push(history.eventRaised(now, message.name, message.input));
    return;
  }
  const id = message.kind === "timerFired" ? message.timerId : message.taskId;
  const open = record.openTasks[id];
  if (open === undefined) return; // a duplicate delivery after a restart, or a canceled timer
  delete record.openTasks[id];
  switch (message.kind) {
    case "activityCompleted":
      record.history.push(history.taskCompleted(now, id, message.result));
      break;
    case "subOrchestrationCompleted":
      record.history.push(history.subOrchestrationCompleted(now, id, message.result));
      break;
    case "activityFailed":
    case "subOrchestrationFailed": {
      const name = open.kind === "activity" || open.kind === "subOrchestration" ? open.name : "";
      if (message.kind === "activityFailed") {
        const reason = `Activity function '${name}' failed: ${message.message}`;
        record.history.push(history.taskFailed(now, id, reason, message.details));
      } else {
        record.history.push(history.subOrchestrationFailed(now, id, message.message, message.details));
      }
      if ((open.kind === "activity" || open.kind === "subOrchestration") && open.retry !== undefined) {
        scheduleRetryTimer(record, open.retry, now, after, work);
      }
      break;
    }
    case "timerFired":
      record.history.push(history.timerFired(now, id, message.fireAt));
      if (open.kind === "retryTimer") scheduleNextAttempt(record, open.retry, now, after, work);
      break;
  }
}

/** Turns one new action into its history event and work; returns a problem for unsupported ones. */
function schedule(record: InstanceRecord, action: LeafAction, now: Date, work: Work[]): string | undefined {
  if (!takesId(action)) return undefined;
  const id = record.nextId++;
  record.actionIds.push(id);
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry: {
      const input = actionInput(action.input);
      const task: OpenTask = { kind: "activity", name: action.functionName, input };
      if (action.actionType === ActionType.CallActivityWithRetry) {
        record.retries[id] = { options: action.retryOptions, attempt: 1 };
        record.firstAttempts[id] = task;
        task.retry = id;
      }
      record.openTasks[id] = task;
      record.history.push(history.taskScheduled(now, id, action.functionName, input));
      work.push({
        kind: "activity",
        instanceId: record.instanceId,
        taskId: id,
        name: action.functionName,
        input,
      });
      return undefined;
    }
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const instanceId = action.instanceId || `${record.instanceId}:${id}`;
      const task: OpenTask = {
        kind: "subOrchestration",
        name: action.functionName,
        instanceId,
        input: action.input,
      };
      if (action.actionType === ActionType.CallSubOrchestratorWithRetry) {
        record.retries[id] = { options: action.retryOptions, attempt: 1 };
        record.firstAttempts[id] = task;
        task.retry = id;
      }
      record.openTasks[id] = task;
      record.history.push(
        history.subOrchestrationCreated(now, id, action.functionName, instanceId, action.input),
      );
      work.push({
        kind: "startSubOrchestration",
        parentInstanceId: record.instanceId,
        taskId: id,
        name: action.functionName,
        instanceId,
        input: action.input,
      });
      return undefined;
    }
    case ActionType.CreateTimer:
      record.history.push(history.timerCreated(now, id, action.fireAt));
      if (!action.isCanceled) {
        record.openTasks[id] = { kind: "timer" };
        work.push({ kind: "timer", instanceId: record.instanceId, timerId: id, fireAt: action.fireAt });
      }
      return undefined;
    default:
      return `Action type ${action.actionType} (entities and callHttp) is not supported by the batchfn local host.`;
  }
}

/** A timer the orchestrator canceled will never be delivered. */
function cancelTimers(record: InstanceRecord, answer: EpisodeAnswer): void {
  let idIndex = 0;
  for (const action of answer.actions) {
    if (!takesId(action)) continue;
    const id = record.actionIds[idIndex++];
    if (id !== undefined && action.actionType === ActionType.CreateTimer && action.isCanceled)
      delete record.openTasks[id];
  }
}

function fail(record: InstanceRecord, error: string, now: Date, work: Work[]): void {
  record.runtimeStatus = "Failed";
  record.output = error;
  record.openTasks = {};
  record.history.push(history.executionFailed(now, error, ""));
  notifyParent(record, work, { completed: false, message: error });
}

function notifyParent(
  record: InstanceRecord,
  work: Work[],
  outcome: { completed: true; result: unknown } | { completed: false; message: string },
): void {
  if (record.parentInstanceId === undefined || record.parentTaskId === undefined) return;
  const taskId = record.parentTaskId;
  const message: InstanceMessage = outcome.completed
    ? { kind: "subOrchestrationCompleted", taskId, result: outcome.result }
    : { kind: "subOrchestrationFailed", taskId, message: outcome.message, details: "" };
  work.push({ kind: "notifyParent", parentInstanceId: record.parentInstanceId, message });
}

function continueAsNew(record: InstanceRecord, input: unknown, now: Date): void {
  record.input = input;
  record.executionId = randomUUID();
  record.history = [];
  record.scheduledActions = 0;
  record.nextId = 0;
  record.actionIds = [];
  record.openTasks = {};
  record.retries = {};
  record.firstAttempts = {};
  record.runtimeStatus = "ContinuedAsNew";
  record.lastUpdatedTime = now;
}
