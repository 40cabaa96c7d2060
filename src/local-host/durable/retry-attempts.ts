import { type HistoryEvent, history } from "./history.js";
import type { InstanceRecord, Work } from "./instance.js";

/**
 * Retries of tasks called with retry options, as DTFx runs them and the library replays them: a
 * failed attempt is followed by a timer (the next task id) at now + min(first × coefficient^(n−1),
 * max interval), also after the last attempt; when that timer fires, the next attempt takes the
 * next id, unless the attempts are used up (then the library fails the task).
 */

/** Appends the timer that follows a failed attempt of the task first scheduled as `key`. */
export function scheduleRetryTimer(
  record: InstanceRecord,
  key: number,
  now: Date,
  after: HistoryEvent[],
  work: Work[],
): void {
  const tracker = record.retries[key];
  if (tracker === undefined) return;
  tracker.attempt += 1;
  const failures = tracker.attempt - 1;
  const {
    firstRetryIntervalInMilliseconds: first,
    backoffCoefficient,
    maxRetryIntervalInMilliseconds,
  } = tracker.options;
  const delay = Math.min(
    first * (backoffCoefficient ?? 1) ** (failures - 1),
    maxRetryIntervalInMilliseconds || Number.POSITIVE_INFINITY,
  );
  const fireAt = new Date(now.getTime() + delay);
  const timerId = record.nextId++;
  record.openTasks[timerId] = { kind: "retryTimer", retry: key };
  after.push(history.timerCreated(now, timerId, fireAt));
  work.push({ kind: "timer", instanceId: record.instanceId, timerId, fireAt });
}

/** Schedules the next attempt of the task first scheduled as `key`, once its retry timer fired. */
export function scheduleNextAttempt(
  record: InstanceRecord,
  key: number,
  now: Date,
  after: HistoryEvent[],
  work: Work[],
): void {
  const tracker = record.retries[key];
  const first = record.firstAttempts[key];
  if (tracker === undefined || first === undefined) return;
  if (tracker.attempt > tracker.options.maxNumberOfAttempts) {
    delete record.retries[key];
    return;
  }
  const id = record.nextId++;
  if (first.kind !== "activity" && first.kind !== "subOrchestration") return;
  const task = { ...first, retry: key };
  record.openTasks[id] = task;
  if (task.kind === "activity") {
    after.push(history.taskScheduled(now, id, task.name, task.input));
    work.push({
      kind: "activity",
      instanceId: record.instanceId,
      taskId: id,
      name: task.name,
      input: task.input,
    });
  } else {
    after.push(history.subOrchestrationCreated(now, id, task.name, task.instanceId, task.input));
    work.push({
      kind: "startSubOrchestration",
      parentInstanceId: record.instanceId,
      taskId: id,
      name: task.name,
      instanceId: task.instanceId,
      input: task.input,
    });
  }
}
