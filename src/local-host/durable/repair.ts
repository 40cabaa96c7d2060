import type { Committer } from "./committer.js";
import { EventType } from "./history.js";
import type { InstanceMessage, InstanceRecord, OpenTask, RuntimeStatus } from "./instance.js";
import type { InstanceStore } from "./instance-store.js";
import type { ControlMessage, Outbound, WorkItem } from "./messages.js";
import { type IdSource, toParent } from "./outbound.js";
import { isTerminal, type StoredInstance } from "./stored-instance.js";

export interface RepairOptions {
  store: InstanceStore;
  committer: Committer;
  /** Whether this host is running (or about to run) the activity call. */
  activityInFlight(item: Pick<WorkItem, "instanceId" | "executionId" | "taskId">): boolean;
  /** Whether this host holds or processes messages for the instance right now. */
  instanceBusy(instanceId: string): boolean;
  submit(item: WorkItem): void;
  /** An instance whose record has not changed for this long is checked for lost messages. */
  quietMs: number;
  now: () => Date;
  newId: IdSource;
  /** Activity tasks found orphaned by the previous scan (an orphan is resubmitted on its second sighting). */
  suspects: Set<string>;
}

export interface RepairReport {
  /**
   * Records cached in memory whose version differs from storage's (storage lost writes, or a commit
   * raced the scan: reloading is harmless either way); records storage no longer has are dropped too.
   */
  staleCaches: string[];
  /** Instances whose table row disagreed with their record: last outbox sent again, row rewritten. */
  projected: string[];
  /** Activity calls submitted again: their task is open, nothing here runs it or holds its answer. */
  activities: number;
  /** Control messages sent again: lost starts, sub-orchestration creations or ends, overdue timers. */
  messages: number;
}

/**
 * Makes up for writes storage lost while this host kept running (an emulator killed before it saved
 * its last seconds, then started again): records whose cached copy no longer matches storage are
 * reloaded, rows are made to match their records, and every running instance's open work that
 * nothing carries any more is sent again — activity calls not running here, a start or a
 * sub-orchestration creation whose message was lost, a child's end its parent never heard of, a
 * timer long overdue. Duplicates are harmless: a completion for a task no longer open is skipped.
 */
export async function repairTaskHub(options: RepairOptions): Promise<RepairReport> {
  const { store, committer } = options;
  const report: RepairReport = { staleCaches: [], projected: [], activities: 0, messages: 0 };
  const rows = new Map<string, { version: number; runtimeStatus: string }>();
  for await (const row of store.rowVersions()) rows.set(row.instanceId, row);
  const versions = new Map<string, number>();
  for await (const { instanceId, version } of store.recordVersions()) {
    versions.set(instanceId, version);
    const cached = store.cachedVersion(instanceId);
    if (cached !== undefined && cached !== version) {
      store.forget(instanceId);
      report.staleCaches.push(instanceId);
    }
  }
  store.forgetAllBut(new Set(versions.keys()));
  const orphans = new Set<string>();
  const outbox: Outbound[] = [];
  for (const [instanceId, version] of versions) {
    const row = rows.get(instanceId);
    const current = row?.version === version;
    if (current && isTerminal(row.runtimeStatus as RuntimeStatus)) continue;
    if (options.instanceBusy(instanceId)) continue;
    const loaded = await store.load(instanceId);
    if (!loaded) continue;
    const { stored } = loaded;
    if (!current) {
      await committer.deliver(stored);
      report.projected.push(instanceId);
    }
    const { record } = stored;
    if (isTerminal(record.runtimeStatus) || record.runtimeStatus === "Suspended") continue;
    const quiet = options.now().getTime() - record.lastUpdatedTime.getTime() >= options.quietMs;
    if (quiet && record.history.length === 0) {
      outbox.push(control(options, { instanceId, executionId: record.executionId, body: { kind: "start" } }));
    }
    for (const [id, task] of Object.entries(record.openTasks)) {
      const taskId = Number(id);
      if (task.kind === "activity") {
        const item = { instanceId, executionId: record.executionId, taskId };
        if (options.activityInFlight(item)) continue;
        const key = `${instanceId}\n${record.executionId}\n${taskId}`;
        orphans.add(key);
        if (!options.suspects.has(key)) continue;
        options.submit({ ...item, id: options.newId(), name: task.name, input: task.input });
        report.activities += 1;
      } else if (quiet) {
        const message = await lostMessage(options, stored, taskId, task);
        if (message) outbox.push(message);
      }
    }
  }
  options.suspects.clear();
  for (const key of orphans) options.suspects.add(key);
  report.messages = outbox.length;
  if (outbox.length > 0) await committer.send(outbox);
  return report;
}

/** The message an open sub-orchestration or timer task waits for, when storage lost it. */
async function lostMessage(
  options: RepairOptions,
  parent: StoredInstance,
  taskId: number,
  task: Exclude<OpenTask, { kind: "activity" }>,
): Promise<Outbound | undefined> {
  const { record } = parent;
  if (task.kind === "timer" || task.kind === "retryTimer") {
    const fireAt = record.history.find(
      (e) => e.EventType === EventType.TimerCreated && e.EventId === taskId,
    )?.FireAt;
    if (!fireAt || options.now().getTime() - new Date(fireAt).getTime() < options.quietMs) return undefined;
    return control(options, {
      instanceId: record.instanceId,
      executionId: record.executionId,
      body: { kind: "timerFired", timerId: taskId, fireAt: new Date(fireAt) },
    });
  }
  const child = (await options.store.load(task.instanceId))?.stored;
  const ours = child?.record.parentInstanceId === record.instanceId && child.record.parentTaskId === taskId;
  if (!child || !ours) {
    if (child && !isTerminal(child.record.runtimeStatus)) return undefined;
    return control(options, {
      instanceId: task.instanceId,
      body: {
        kind: "createSubOrchestration",
        name: task.name,
        input: task.input,
        executionId: options.newId(),
        parentInstanceId: record.instanceId,
        parentExecutionId: record.executionId,
        parentTaskId: taskId,
      },
    });
  }
  const end = endOf(child.record, taskId);
  return end && toParent(child, record.instanceId, end, options.newId);
}

function endOf(child: InstanceRecord, taskId: number): InstanceMessage | undefined {
  switch (child.runtimeStatus) {
    case "Completed":
      return { kind: "subOrchestrationCompleted", taskId, result: child.output };
    case "Failed":
      return { kind: "subOrchestrationFailed", taskId, message: String(child.output), details: "" };
    case "Terminated":
      return {
        kind: "subOrchestrationFailed",
        taskId,
        message: `Sub-orchestration '${child.name}' (${child.instanceId}) was terminated: ${String(child.output)}`,
        details: "",
      };
    default:
      return undefined;
  }
}

function control(options: RepairOptions, message: Omit<ControlMessage, "id">): Outbound {
  return { queue: "control", message: { id: options.newId(), ...message } };
}
