import { mkdir } from "node:fs/promises";
import { dirname, extname, resolve, sep } from "node:path";
import { errors } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { downloadItem, fetchItemBytes } from "../../io/inputs/download-item.js";
import type { InputRoot } from "../../io/inputs/resolved-input.js";
import { defaultSourceCache, type SourceCache, sourceKey } from "../../io/inputs/source-cache.js";
import { mapLimited } from "../../io/map-limited.js";
import type { TabularFormat } from "../../io/tabular/table.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import type { MiniBatchFile } from "../../scoring/runtime.js";
import type { PlannedItem, PlanRef } from "../plan/plan-schema.js";
import { readMiniBatch } from "../plan/read-plan.js";
import type { JobStore } from "../store/job-store.js";

/** Writes rows [start, start + count) of a tabular file to `target`, same format (header kept); wired to src/io/tabular. */
export type RowRangeWriter = (request: {
  source: string;
  format: TabularFormat;
  start: number;
  count: number;
  target: string;
}) => Promise<void>;

export interface DownloadMiniBatchOptions {
  plan: PlanRef;
  index: number;
  /** Empty folder for this attempt; items land at `<localDir>/<item name>`. */
  localDir: string;
  /** Required when the mini-batch holds row ranges. */
  writeRowRange?: RowRangeWriter;
  /**
   * Whole items of at most this many bytes are read into memory (`MiniBatchFile.data`) instead of
   * being written under `localDir`; default 0: every item is a local file.
   */
  inMemoryMaxBytes?: number;
}

export interface DownloadMiniBatchDeps {
  /** Where the plan is read. */
  store: JobStore;
  access: BlobAccess;
  /** Where whole source files of row-split items are kept between mini-batches. */
  sourceCache?: SourceCache;
  /** Items fetched at once; default 4 (16 for small items made Azurite's CPU per image worse, see docs/benchmarks.md). */
  concurrency?: number;
}

/**
 * Downloads the files of one mini-batch, in plan order. A whole item is downloaded as is (into
 * memory when it is small enough, see `inMemoryMaxBytes`); a row range is cut from the whole source file (downloaded once into the source cache, then shared by
 * every range of it scored on this instance) by the injected `writeRowRange`.
 */
export async function downloadMiniBatch(
  options: DownloadMiniBatchOptions,
  deps: DownloadMiniBatchDeps,
): Promise<MiniBatchFile[]> {
  const { root, miniBatch } = await readMiniBatch(deps.store, options.plan, options.index);
  const maxBytes = options.inMemoryMaxBytes ?? 0;
  const inMemory = (item: PlannedItem) => item.size !== undefined && item.size <= maxBytes;
  return mapLimited(miniBatch.items, deps.concurrency ?? 4, async (item) => {
    const path = localPath(options.localDir, item.name);
    const range = item.rows;
    const whole = !range || (range.start === 0 && range.count === range.total);
    if (whole && inMemory(item)) {
      const data = await fetchItemBytes({ root, item, access: deps.access });
      return { path, name: item.name, rowOffset: 0, ...(range ? { rowCount: range.count } : {}), data };
    }
    if (whole) {
      await downloadItem({ root, item, target: path, access: deps.access });
      return { path, name: item.name, rowOffset: 0, ...(range ? { rowCount: range.count } : {}) };
    }
    await writeRange({ root, item, target: path, options, deps });
    return { path, name: item.name, rowOffset: range.start, rowCount: range.count };
  });
}

async function writeRange(request: {
  root: InputRoot;
  item: PlannedItem;
  target: string;
  options: DownloadMiniBatchOptions;
  deps: DownloadMiniBatchDeps;
}): Promise<void> {
  const { root, item, target, options, deps } = request;
  const format = tabularFormatOf(item.name);
  const range = item.rows;
  if (!range || !format) return;
  if (!options.writeRowRange) {
    throw errors.invalidConfig("Mini-batch holds row ranges but no row-range writer was wired in.", [
      { path: "settings.mini_batch_rows", message: "no row-range writer" },
    ]);
  }
  const cache = deps.sourceCache ?? defaultSourceCache();
  const source = await cache.acquire(sourceKey(root, item), extname(item.name), (path) =>
    downloadItem({ root, item, target: path, access: deps.access }),
  );
  try {
    await mkdir(dirname(target), { recursive: true });
    await options.writeRowRange({
      source: source.path,
      format,
      start: range.start,
      count: range.count,
      target,
    });
  } finally {
    source.release();
  }
}

/** `<localDir>/<name>`, refusing names that would land outside `localDir`. */
function localPath(localDir: string, name: string): string {
  const base = resolve(localDir);
  const path = resolve(base, ...name.split("/"));
  if (!path.startsWith(base + sep)) {
    throw errors.invalidInput(
      `Input file '${name}' has a name that does not stay inside the mini-batch folder.`,
    );
  }
  return path;
}
