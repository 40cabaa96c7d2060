import { randomUUID } from "node:crypto";
import { errors } from "../../errors.js";
import type { InputItem, InputRoot, ResolvedInput } from "../../io/inputs/resolved-input.js";
import { mapLimited } from "../../io/map-limited.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import { checkJobName } from "../../spec/names.js";
import type { JobStore } from "../store/job-store.js";
import { countPlan, cutMiniBatches } from "./cut-mini-batches.js";
import type { PlanManifest, PlannedItem, PlannedMiniBatch, PlanPage, PlanRef } from "./plan-schema.js";

/** Counts the rows (records, not lines) of one tabular item; wired by the integrator to src/io/tabular. */
export type RowCounter = (root: InputRoot, item: InputItem) => Promise<number>;

export interface PlanJobOptions {
  jobName: string;
  /** The resolved input: its root locates the items when mini-batches are downloaded. */
  input: ResolvedInput;
  miniBatchSize: number;
  miniBatchRows?: number;
  /** Required when `miniBatchRows` is set and the input holds tabular files. */
  countRows?: RowCounter;
  /**
   * Entries already cut (a re-run of failed items: whole files and row ranges as the earlier job
   * planned them): packed `miniBatchSize` to a mini-batch instead of cutting `input.items`.
   */
  entries?: readonly PlannedItem[];
}

export interface PlanJobDeps {
  /** Where the plan is written (the jobs container). */
  store: JobStore;
  /** Entries per plan page, about 200 bytes each; a page always holds whole mini-batches. */
  pageItems?: number;
  /** Row counts running at once. */
  countConcurrency?: number;
}

/**
 * Cuts a resolved input into mini-batches and writes the plan to the jobs container: pages first,
 * then `<job>/plan.json`. Returns only a reference and the counts, so no item list travels through
 * orchestration history. Planning again writes a new plan id; a reference to the replaced plan is
 * refused once the new manifest is read (`CorruptRecord`).
 */
export async function planJob(options: PlanJobOptions, deps: PlanJobDeps): Promise<PlanRef> {
  const job = checkJobName(options.jobName);
  const miniBatches = options.entries
    ? packEntries(options.entries, options.miniBatchSize)
    : cutMiniBatches({
        items: options.input.items,
        miniBatchSize: options.miniBatchSize,
        miniBatchRows: options.miniBatchRows,
        rowCounts: await countTabularRows(options, deps.countConcurrency ?? 4),
      });
  const counts = countPlan(miniBatches, options.miniBatchRows !== undefined);
  const planId = randomUUID();
  const pages: PlanPage[] = paginate(miniBatches, deps.pageItems ?? 5000).map((miniBatchesOfPage, page) => ({
    planId,
    page,
    miniBatches: miniBatchesOfPage,
  }));
  const manifest: PlanManifest = {
    version: 1,
    job,
    planId,
    input: { display: options.input.display, type: options.input.type, root: options.input.root },
    settings: {
      miniBatchSize: options.miniBatchSize,
      ...(options.miniBatchRows === undefined ? {} : { miniBatchRows: options.miniBatchRows }),
    },
    counts,
    pageStarts: pages.map((page) => page.miniBatches[0]?.index ?? 0),
  };
  await deps.store.savePlan(manifest, pages);
  return { job, planId, ...counts };
}

async function countTabularRows(
  options: PlanJobOptions,
  concurrency: number,
): Promise<ReadonlyMap<string, number> | undefined> {
  if (options.miniBatchRows === undefined) return undefined;
  const tabular = options.input.items.filter((item) => tabularFormatOf(item.name) !== undefined);
  if (tabular.length === 0) return undefined;
  const { countRows } = options;
  if (!countRows) {
    throw errors.invalidConfig("mini_batch_rows needs a row counter; none was wired into planJob.", [
      { path: "settings.mini_batch_rows", message: "no row counter" },
    ]);
  }
  const counts = await mapLimited(tabular, concurrency, (item) => countRows(options.input.root, item));
  return new Map(tabular.map((item, i) => [item.name, counts[i] ?? 0]));
}

/** Entries in order, at most `size` a mini-batch and never two of one file in the same one. */
function packEntries(entries: readonly PlannedItem[], size: number): PlannedMiniBatch[] {
  const miniBatches: PlannedMiniBatch[] = [];
  let current: PlannedItem[] = [];
  for (const entry of entries) {
    if (current.length >= size || current.some((item) => item.name === entry.name)) {
      miniBatches.push({ index: miniBatches.length, items: current });
      current = [];
    }
    current.push(entry);
  }
  if (current.length > 0) miniBatches.push({ index: miniBatches.length, items: current });
  return miniBatches;
}

function paginate(miniBatches: readonly PlannedMiniBatch[], pageItems: number): PlannedMiniBatch[][] {
  const pages: PlannedMiniBatch[][] = [];
  let page: PlannedMiniBatch[] = [];
  let items = 0;
  for (const miniBatch of miniBatches) {
    if (page.length > 0 && items + miniBatch.items.length > pageItems) {
      pages.push(page);
      page = [];
      items = 0;
    }
    page.push(miniBatch);
    items += miniBatch.items.length;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
