import type { Committer } from "./committer.js";
import type { RuntimeStatus } from "./instance.js";
import type { InstanceStore, LoadedInstance } from "./instance-store.js";
import type { WorkItem } from "./messages.js";
import { isTerminal } from "./stored-instance.js";

export interface RecoveryReport {
  /** Instances whose last commit was finished again (outbox sent, row written). */
  resumed: string[];
  /** Rows removed because their record is gone (a purge interrupted between its two deletes). */
  orphanRows: string[];
  /** Activity calls submitted again: they were open when the previous host stopped. */
  activities: number;
}

export interface ResubmitOptions {
  /** Runs an activity call; `dequeueCount` counts the hosts that started it. */
  submit: (item: WorkItem, dequeueCount: number) => void;
  /** False after a graceful stop: the previous host finished what it ran, nothing died. */
  countRestarts: boolean;
}

/**
 * Makes a hub whole after a host stopped or was killed, before the dispatchers start, while
 * holding the hub lease: every open activity task of a running instance is submitted again (the
 * previous host's in-memory work is gone; after a crash each call's restart count is committed
 * first, so an activity that kills its host every time fails after a few restarts); every record
 * whose row is missing or older has its outbox sent again and its row written. Control messages
 * that were in flight come back by themselves once their visibility lapses; timers wait in the
 * control queue.
 */
export async function recoverTaskHub(
  store: InstanceStore,
  committer: Committer,
  resubmit: ResubmitOptions,
): Promise<RecoveryReport> {
  const rows = new Map<string, { version: number; runtimeStatus: string }>();
  for await (const row of store.rowVersions()) rows.set(row.instanceId, row);
  const report: RecoveryReport = { resumed: [], orphanRows: [], activities: 0 };
  for await (const record of store.recordVersions()) {
    const row = rows.get(record.instanceId);
    rows.delete(record.instanceId);
    const current = row !== undefined && row.version >= record.version;
    if (current && isTerminal(row.runtimeStatus as RuntimeStatus)) continue;
    const loaded = await store.load(record.instanceId);
    if (!loaded) continue;
    const { stored } = loaded;
    const { submitted, saved } = await resubmitOpenActivities(store, loaded, resubmit);
    report.activities += submitted;
    if (current) {
      if (saved) await store.project(stored);
      continue;
    }
    await committer.deliver(stored);
    report.resumed.push(record.instanceId);
  }
  for (const instanceId of rows.keys()) {
    await store.deleteRow(instanceId);
    report.orphanRows.push(instanceId);
  }
  return report;
}

async function resubmitOpenActivities(
  store: InstanceStore,
  loaded: LoadedInstance,
  { submit, countRestarts }: ResubmitOptions,
): Promise<{ submitted: number; saved: boolean }> {
  const { stored } = loaded;
  const { record } = stored;
  if (isTerminal(record.runtimeStatus)) return { submitted: 0, saved: false };
  const open = Object.entries(record.openTasks).flatMap(([id, task]) =>
    task.kind === "activity" ? [{ taskId: Number(id), task }] : [],
  );
  if (open.length === 0) return { submitted: 0, saved: false };
  const restarts: Record<number, number> = {};
  const added = countRestarts ? 1 : 0;
  for (const { taskId } of open) restarts[taskId] = (stored.restarts[taskId] ?? 0) + added;
  if (countRestarts) {
    stored.restarts = restarts;
    loaded.etag = await store.save(stored, loaded.etag);
  }
  for (const { taskId, task } of open) {
    const item: WorkItem = {
      id: `${record.executionId}:${taskId}:${restarts[taskId]}`,
      instanceId: record.instanceId,
      executionId: record.executionId,
      taskId,
      name: task.name,
      input: task.input,
    };
    submit(item, 1 + (restarts[taskId] ?? 0));
  }
  return { submitted: open.length, saved: countRestarts };
}
