import { setTimeout as sleep } from "node:timers/promises";
import { BatchfnError, errors } from "../errors.js";
import type { RowKey, RowMeta, StoredRow, TableStore } from "./table-store.js";

/** Options of every registry update. */
export interface UpdateOptions {
  /**
   * The ETag the caller read (from `show`). When given, the update applies only if the resource
   * still carries it; otherwise `ConcurrentUpdate`.
   */
  ifMatch?: string;
}

/**
 * The next state of a row. `"touch"` writes it back unchanged, only to move its ETag on (a fence
 * that makes concurrent writers that read it before retry); `"keep"` writes nothing.
 */
export type RowChange<T> = { resource: T; meta?: RowMeta } | "touch" | "keep";

const ATTEMPTS = 8;

/**
 * Reads a row, computes its next state and writes it back under the ETag it read, so a change made
 * in between is never overwritten. With `ifMatch` a lost race is the caller's to resolve
 * (`ConcurrentUpdate`); without, it is retried on a fresh read, so every concurrent change is kept.
 * `NotFound` when the row does not exist; errors thrown by `change` are passed on as they are.
 */
export async function readModifyWrite<T>(
  store: TableStore<T>,
  key: RowKey,
  change: (row: StoredRow<T>) => Promise<RowChange<T>> | RowChange<T>,
  options: UpdateOptions = {},
): Promise<StoredRow<T>> {
  for (let attempt = 1; ; attempt++) {
    const row = await store.get(key);
    if (!row) throw errors.notFound(store.kind, store.describe(key));
    if (options.ifMatch !== undefined && options.ifMatch !== row.etag) {
      throw errors.concurrentUpdate(store.kind, store.describe(key));
    }
    const next = await change(row);
    try {
      if (next === "keep") return row;
      if (next === "touch") return await store.touch(row);
      return await store.replace(row, next.resource, next.meta ?? row.meta);
    } catch (thrown) {
      const lostRace = thrown instanceof BatchfnError && thrown.code === "ConcurrentUpdate";
      if (!lostRace || options.ifMatch !== undefined || attempt >= ATTEMPTS) throw thrown;
      await sleep(Math.random() * 10 * attempt);
    }
  }
}
