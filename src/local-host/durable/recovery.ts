import type { Committer } from "./committer.js";
import type { InstanceStore } from "./instance-store.js";

export interface RecoveryReport {
  /** Instances whose last commit was finished again (outbox sent, row written). */
  resumed: string[];
  /** Rows removed because their record is gone (a purge interrupted between its two deletes). */
  orphanRows: string[];
}

/**
 * Finishes the commits a killed host left half done: every record whose row is missing or older
 * has its outbox sent again and its row written. Messages that were in flight come back by
 * themselves once their visibility lapses; timers wait in the control queue. Run before the
 * dispatchers start, while holding the hub lease.
 */
export async function recoverTaskHub(store: InstanceStore, committer: Committer): Promise<RecoveryReport> {
  const rows = new Map<string, number>();
  for await (const row of store.rowVersions()) rows.set(row.instanceId, row.version);
  const report: RecoveryReport = { resumed: [], orphanRows: [] };
  for await (const record of store.recordVersions()) {
    const rowVersion = rows.get(record.instanceId);
    rows.delete(record.instanceId);
    if (rowVersion !== undefined && rowVersion >= record.version) continue;
    const loaded = await store.load(record.instanceId);
    if (!loaded) continue;
    await committer.deliver(loaded.stored);
    report.resumed.push(record.instanceId);
  }
  for (const instanceId of rows.keys()) {
    await store.deleteRow(instanceId);
    report.orphanRows.push(instanceId);
  }
  return report;
}
