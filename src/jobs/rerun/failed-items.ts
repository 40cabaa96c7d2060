import { errors } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { ResolvedInput } from "../../io/inputs/resolved-input.js";
import { errorShards } from "../../io/output/output-layout.js";
import type { PlannedItem } from "../plan/plan-schema.js";
import { readMiniBatch } from "../plan/read-plan.js";
import type { JobStore } from "../store/job-store.js";

/** What a re-run of failed items plans: the earlier job's input root and the entries to score again. */
export interface FailedItems {
  input: ResolvedInput;
  entries: PlannedItem[];
}

/**
 * The entries of an ended job that its `errors.jsonl` lists, as that job planned them (whole files,
 * and row ranges under `mini_batch_rows`), in its order: each line names its mini-batch and its
 * item (a file's name, or `<file> rows <first>-<last>`), which is looked up in that mini-batch of
 * the job's plan. A line that names nothing of the plan is `CorruptRecord`; an entry listed twice
 * is taken once. The files are read again from the same place when the re-run is scored.
 */
export async function failedItemsOf(
  job: string,
  deps: { store: JobStore; access: BlobAccess },
): Promise<FailedItems> {
  const prepared = await deps.store.loadPrepared(job);
  if (!prepared)
    throw errors.corruptRecord(`Job '${job}' was never planned; it has no failed items to re-run.`);
  const { target, plan } = prepared;
  const container = deps.access.container(target.location.store, target.location.container);
  const wanted = new Map<number, Set<string>>();
  for (const shard of errorShards(target)) {
    const name = `${target.location.prefix}${shard.fileName}`;
    const text = (await container.getBlobClient(name).downloadToBuffer()).toString("utf8");
    for (const [number, line] of text.split("\n").entries()) {
      if (line.trim() === "") continue;
      const entry = parseLine(line, `${target.location.display}${shard.fileName}:${number + 1}`);
      const items = wanted.get(entry.mini_batch) ?? new Set<string>();
      items.add(entry.item);
      wanted.set(entry.mini_batch, items);
    }
  }
  const entries: PlannedItem[] = [];
  let root: ResolvedInput["root"] | undefined;
  for (const index of [...wanted.keys()].sort((a, b) => a - b)) {
    const { root: planRoot, miniBatch } = await readMiniBatch(deps.store, plan, index);
    root = planRoot;
    const names = wanted.get(index) ?? new Set<string>();
    const found = miniBatch.items.filter((item) => names.has(item.name) || names.has(rangeName(item)));
    const known = new Set(found.flatMap((item) => [item.name, rangeName(item)]));
    const unknown = [...names].find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw errors.corruptRecord(
        `errors.jsonl of job '${job}' lists '${unknown}' in mini-batch ${index}, which its plan does not hold there.`,
      );
    }
    // read as the files are now (fixed since, perhaps), not insisting on the version planned then
    entries.push(...found.map(({ etag: _etag, size: _size, ...entry }) => entry));
  }
  const inputRoot = root;
  if (!inputRoot || entries.length === 0) throw errors.noFailedItems(job);
  return {
    input: {
      display: `the failed items of job '${job}' (${prepared.input})`,
      type: "uri_folder",
      root: inputRoot,
      items: entries.map(({ rows: _rows, ...item }) => item),
    },
    entries,
  };
}

function parseLine(line: string, where: string): { item: string; mini_batch: number } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw errors.corruptRecord(`${where} is not a JSON line.`);
  }
  const entry = value as { item?: unknown; mini_batch?: unknown };
  if (
    typeof entry.item !== "string" ||
    typeof entry.mini_batch !== "number" ||
    !Number.isInteger(entry.mini_batch)
  ) {
    throw errors.corruptRecord(`${where} has no item and mini_batch.`);
  }
  return { item: entry.item, mini_batch: entry.mini_batch };
}

/** How a failed row range is named in errors.jsonl (`failedMiniBatchResult`). */
function rangeName(item: PlannedItem): string {
  return item.rows
    ? `${item.name} rows ${item.rows.start + 1}-${item.rows.start + item.rows.count}`
    : item.name;
}
