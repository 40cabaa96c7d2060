import { errors } from "../../errors.js";
import type { InputItem } from "../../io/inputs/resolved-input.js";
import type { PlanCounts, PlannedItem, PlannedMiniBatch } from "./plan-schema.js";

export interface CutOptions {
  /** Items in the order they are scored (sorted by name). */
  items: readonly InputItem[];
  /** At most this many entries (files or row ranges) per mini-batch, as Azure ML counts files. */
  miniBatchSize: number;
  /** When set, at most this many rows per mini-batch; tabular files are split across mini-batches. */
  miniBatchRows?: number;
  /** Row counts of the tabular items, by item name; required for those when `miniBatchRows` is set. */
  rowCounts?: ReadonlyMap<string, number>;
}

/**
 * Cuts items into mini-batches. Without `miniBatchRows`: `miniBatchSize` files each. With it, rows
 * flow through the mini-batches in order: each mini-batch takes at most `miniBatchRows` rows and at
 * most `miniBatchSize` entries, so small files are packed together and a large file is cut into
 * ranges, at most one range of a file per mini-batch. Files that are not tabular (or have no
 * rows) are whole entries that count towards `miniBatchSize` only.
 */
export function cutMiniBatches(options: CutOptions): PlannedMiniBatch[] {
  const { miniBatchSize, miniBatchRows } = options;
  for (const [name, value] of [
    ["mini_batch_size", miniBatchSize],
    ["mini_batch_rows", miniBatchRows],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw errors.invalidSpec(`settings.${name} must be a whole number ≥ 1, got ${value}.`, [
        { path: `settings.${name}`, message: "must be ≥ 1" },
      ]);
    }
  }
  const miniBatches: PlannedMiniBatch[] = [];
  let current: PlannedItem[] = [];
  let rows = 0;
  const flush = () => {
    if (current.length === 0) return;
    miniBatches.push({ index: miniBatches.length, items: current });
    current = [];
    rows = 0;
  };
  for (const item of options.items) {
    const total = miniBatchRows === undefined ? undefined : options.rowCounts?.get(item.name);
    if (miniBatchRows === undefined || total === undefined || total === 0) {
      if (current.length >= miniBatchSize) flush();
      current.push({ ...item });
      continue;
    }
    let start = 0;
    while (start < total) {
      if (current.length >= miniBatchSize || rows >= miniBatchRows) flush();
      const count = Math.min(miniBatchRows - rows, total - start);
      current.push({ ...item, rows: { start, count, total } });
      rows += count;
      start += count;
    }
  }
  flush();
  return miniBatches;
}

/** How many items an entry counts for in the error threshold: its rows when row-split, else 1. */
export function itemUnits(item: PlannedItem): number {
  return item.rows ? item.rows.count : 1;
}

/** Totals of a list of mini-batches. */
export function countPlan(miniBatches: readonly PlannedMiniBatch[], rowsCounted: boolean): PlanCounts {
  const files = new Set<string>();
  let rows = 0;
  let items = 0;
  for (const miniBatch of miniBatches) {
    for (const item of miniBatch.items) {
      files.add(item.name);
      rows += item.rows?.count ?? 0;
      items += itemUnits(item);
    }
  }
  return { miniBatches: miniBatches.length, files: files.size, ...(rowsCounted ? { rows } : {}), items };
}
