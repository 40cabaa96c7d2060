import type { BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { isConditionFailure, storageFailure } from "../../storage/storage-error.js";
import { mapLimited } from "../map-limited.js";
import { isFailedMiniBatch } from "./mini-batch-counts.js";
import { type BlockKind, blockId, errorShards, type OutputShard, outputShards } from "./output-layout.js";
import type { OutputTarget } from "./output-target.js";
import { listPartSummaries, type PartSummary, readPartRecord } from "./part-record.js";
import { csvHeader } from "./row-format.js";
import type { OutputDeps } from "./stage-mini-batch.js";

/** What the output files hold once committed, for the job summary. */
export interface OutputTotals {
  predictionFiles: string[];
  errorFiles: string[];
  rows: number;
  errorLines: number;
  /** By the rule of `mini-batch-counts.ts`: succeeded + failed + notRun = total. */
  miniBatches: { total: number; succeeded: number; failed: number; notRun: number };
  /** Planned mini-batches without a part record (never run, or their record was lost), ascending. */
  missing: number[];
  items: { succeeded: number; failed: number };
  /** Files written by a summary_only script. */
  outputFiles: number;
  columns?: string[];
}

/**
 * Commits the output: for each file, the block list of the mini-batches' last recorded attempts in
 * mini-batch order (after the CSV header), create-only unless `overwrite` so a concurrent writer
 * can never be overwritten; the same for errors.jsonl. Mini-batches without a part record (never
 * run, e.g. after the error threshold stopped the job) add nothing. Running it again after it
 * succeeded is harmless: files it committed already are recognised and kept.
 */
export async function finalizeOutput(target: OutputTarget, deps: OutputDeps): Promise<OutputTotals> {
  const parts = await listPartSummaries(deps.jobs, target.job);
  const container = deps.access.container(target.location.store, target.location.container);
  const columns =
    target.action === "append_row" && target.format === "csv"
      ? await csvColumns(target, parts, deps)
      : undefined;
  const header = columns ? csvHeader(columns) : undefined;
  const rowFiles = target.action === "append_row" ? outputShards(target) : [];
  const errorFiles = errorShards(target);
  // each file is its own commit: they go at once (a few at a time)
  const commits: ShardCommit[] = [
    ...rowFiles.map((shard) => ({ container, target, shard, kind: "rows" as const, parts, header })),
    ...errorFiles.map((shard) => ({ container, target, shard, kind: "errors" as const, parts })),
  ];
  await mapLimited(commits, COMMITS_AT_ONCE, commitShard);
  const shown = (shard: OutputShard) => `${target.location.display}${shard.fileName}`;
  return {
    predictionFiles: rowFiles.map(shown),
    errorFiles: errorFiles.map(shown),
    ...tally(target, parts),
    ...(columns ? { columns } : {}),
  };
}

/** Output files committed at once. */
const COMMITS_AT_ONCE = 8;

function tally(target: OutputTarget, parts: Map<number, PartSummary>) {
  const totals = {
    rows: 0,
    errorLines: 0,
    miniBatches: { total: target.miniBatches, succeeded: 0, failed: 0, notRun: 0 },
    items: { succeeded: 0, failed: 0 },
    outputFiles: 0,
    missing: [] as number[],
  };
  for (let index = 0; index < target.miniBatches; index += 1) {
    const part = parts.get(index);
    if (!part) {
      totals.miniBatches.notRun += 1;
      totals.missing.push(index);
      continue;
    }
    if (isFailedMiniBatch(part)) totals.miniBatches.failed += 1;
    else totals.miniBatches.succeeded += 1;
    totals.rows += part.rows;
    totals.errorLines += part.errorLines;
    totals.items.succeeded += part.succeededItems;
    totals.items.failed += part.failedItems;
    totals.outputFiles += part.outputFiles;
  }
  return totals;
}

/** The columns of the first mini-batch that returned records; every other one must match them. */
async function csvColumns(
  target: OutputTarget,
  parts: Map<number, PartSummary>,
  deps: OutputDeps,
): Promise<string[] | undefined> {
  const withColumns = [...parts.values()]
    .filter((part) => part.index < target.miniBatches && part.rows > 0 && part.columnsKey !== "")
    .sort((a, b) => a.index - b.index);
  const first = withColumns[0];
  if (!first) return undefined;
  const columns = (await readPartRecord(deps.jobs, target.job, first.index)).columns ?? [];
  const other = withColumns.find((part) => part.columnsKey !== first.columnsKey);
  if (other) {
    const otherColumns = (await readPartRecord(deps.jobs, target.job, other.index)).columns ?? [];
    throw errors.outputColumnsMismatch(
      `Mini-batch ${other.index} returned columns (${otherColumns.join(", ")}) but mini-batch ${first.index} returned (${columns.join(", ")}); csv output needs the same columns from every mini-batch.`,
    );
  }
  return columns;
}

interface ShardCommit {
  container: ContainerClient;
  target: OutputTarget;
  shard: OutputShard;
  kind: BlockKind;
  parts: Map<number, PartSummary>;
  header?: string;
}

async function commitShard(commit: ShardCommit): Promise<void> {
  const { container, target, shard, kind, parts, header } = commit;
  const blob = container.getBlockBlobClient(`${target.location.prefix}${shard.fileName}`);
  const ids: string[] = [];
  if (header !== undefined) {
    const id = blockId(target.job, "header", shard.shard, 0);
    await blob.stageBlock(id, Buffer.from(header, "utf8"), Buffer.byteLength(header));
    ids.push(id);
  }
  for (let index = shard.first; index < shard.end; index += 1) {
    const part = parts.get(index);
    if (part && (kind === "rows" ? part.rows : part.errorLines) > 0) {
      ids.push(blockId(target.job, kind, index, part.attempt));
    }
  }
  try {
    await blob.commitBlockList(ids, {
      conditions: target.overwrite ? undefined : { ifNoneMatch: "*" },
      metadata: { batchfnjob: target.job },
      blobHTTPHeaders: { blobContentType: contentType(shard.fileName) },
    });
  } catch (thrown) {
    if (isConditionFailure(thrown)) {
      if (await committedByThisJob(blob, target.job, ids)) return;
      throw errors.outputExists(`${target.location.display}${shard.fileName}`);
    }
    if (storageFailure(thrown).code === "InvalidBlockList")
      throw await missingBlocks(blob, ids, shard, thrown);
    throw thrown;
  }
}

async function committedByThisJob(
  blob: BlockBlobClient,
  job: string,
  ids: readonly string[],
): Promise<boolean> {
  const properties = await blob.getProperties();
  if (properties.metadata?.batchfnjob !== job) return false;
  const committed = (await blob.getBlockList("committed")).committedBlocks ?? [];
  return committed.length === ids.length && committed.every((block, i) => block.name === ids[i]);
}

async function missingBlocks(
  blob: BlockBlobClient,
  ids: readonly string[],
  shard: OutputShard,
  cause: unknown,
) {
  const list = await blob.getBlockList("all");
  const present = new Set(
    [...(list.uncommittedBlocks ?? []), ...(list.committedBlocks ?? [])].map((b) => b.name),
  );
  const missing = ids.find((id) => !present.has(id));
  const which = missing ? Buffer.from(missing, "base64").toString("ascii") : "unknown";
  return errors.corruptRecord(
    `Output file '${shard.fileName}' cannot be committed: staged block ${which} is missing (uncommitted blocks expire 7 days after staging, and a commit by another job on the same file discards them).`,
    [{ message: String(cause) }],
  );
}

function contentType(fileName: string): string {
  if (fileName.endsWith(".csv")) return "text/csv; charset=utf-8";
  if (fileName.endsWith(".jsonl")) return "application/x-ndjson";
  return "text/plain; charset=utf-8";
}
