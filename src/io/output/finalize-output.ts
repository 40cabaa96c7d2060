import { errors } from "../../errors.js";
import { mapLimited } from "../map-limited.js";
import { commitFile, type FileCommit } from "./commit-file.js";
import { isFailedMiniBatch } from "./mini-batch-counts.js";
import { commitOutput, plannedOutputs, stagedPieces } from "./output-files.js";
import { blockId, detailed, errorShards, type OutputShard, outputShards } from "./output-layout.js";
import type { OutputTarget } from "./output-target.js";
import type { PartRecord } from "./part-record.js";
import { readRecordedParts } from "./range-record.js";
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
  /** Planned mini-batches without a recorded part (never run, or their record was lost), ascending. */
  missing: number[];
  items: { succeeded: number; failed: number };
  /** Files written by a summary_only script. */
  outputFiles: number;
  columns?: string[];
}

/**
 * Commits the output: for each file, the block list of the mini-batches' recorded attempts (read
 * from the job's range records) in mini-batch order (after the CSV header), create-only unless
 * `overwrite` so a concurrent writer can never be overwritten; the same for errors.jsonl.
 * Mini-batches without a recorded part (never run, e.g. after the error threshold stopped the
 * job) add nothing. Running it again after it
 * succeeded is harmless: files it committed already are recognised and kept.
 */
export async function finalizeOutput(target: OutputTarget, deps: OutputDeps): Promise<OutputTotals> {
  const parts = await readRecordedParts(deps.jobs, target.job);
  const container = deps.access.container(target.location.store, target.location.container);
  const columns =
    target.action === "append_row" && target.format === "csv" && !detailed(target)
      ? csvColumns(target, parts)
      : undefined;
  const head = columns ? Buffer.from(csvHeader(columns), "utf8") : undefined;
  const shardCommit = (shard: OutputShard, kind: "rows" | "errors"): FileCommit => ({
    container,
    target,
    fileName: shard.fileName,
    shard: shard.shard,
    ids: shardIds(target, shard, parts, kind),
    ...(kind === "rows" && head ? { head } : {}),
  });
  const errorFiles = errorShards(target);
  const rowFiles = target.action === "append_row" && !detailed(target) ? outputShards(target) : [];
  // each file is its own commit: they go at once (a few at a time)
  const commits = [
    ...rowFiles.map((shard) => shardCommit(shard, "rows")),
    ...errorFiles.map((shard) => shardCommit(shard, "errors")),
  ];
  const shown = (fileName: string) => `${target.location.display}${fileName}`;
  let predictionFiles = rowFiles.map((shard) => shown(shard.fileName));
  if (detailed(target)) {
    const outputs = plannedOutputs(target, stagedPieces(target, parts));
    await mapLimited(outputs, COMMITS_AT_ONCE, (output) => commitOutput(container, target, output));
    predictionFiles = outputs.map((output) => shown(output.fileName));
  }
  await mapLimited(commits, COMMITS_AT_ONCE, commitFile);
  return {
    predictionFiles,
    errorFiles: errorFiles.map((shard) => shown(shard.fileName)),
    ...tally(target, parts),
    ...(columns ? { columns } : {}),
  };
}

/** Output files committed at once. */
const COMMITS_AT_ONCE = 8;

/**
 * The staged blocks of a shard: the recorded attempt of each of its mini-batches that staged any,
 * or the run block holding its small output (`record-range.ts`).
 */
function shardIds(
  target: OutputTarget,
  shard: OutputShard,
  parts: Map<number, PartRecord>,
  kind: "rows" | "errors",
): string[] {
  const ids: string[] = [];
  for (let index = shard.first; index < shard.end; index += 1) {
    const part = parts.get(index);
    if (!part || (kind === "rows" ? part.rows : part.errorLines) === 0) continue;
    // a small output staged with its neighbours' by recordParts: that run's one block, once
    const run = kind === "rows" ? part.rowsBlock : part.errorsBlock;
    const id =
      run === undefined ? blockId(target.job, kind, index, part.attempt) : blockId(target.job, kind, run, 0);
    if (ids.at(-1) !== id) ids.push(id);
  }
  return ids;
}

function tally(target: OutputTarget, parts: Map<number, PartRecord>) {
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
function csvColumns(target: OutputTarget, parts: Map<number, PartRecord>): string[] | undefined {
  const withColumns = [...parts.values()]
    .filter((part) => part.index < target.miniBatches && part.rows > 0 && part.columns !== undefined)
    .sort((a, b) => a.index - b.index);
  const first = withColumns[0];
  if (!first) return undefined;
  const columns = first.columns ?? [];
  const key = JSON.stringify(columns);
  const other = withColumns.find((part) => JSON.stringify(part.columns) !== key);
  if (other) {
    throw errors.outputColumnsMismatch(
      `Mini-batch ${other.index} returned columns (${(other.columns ?? []).join(", ")}) but mini-batch ${first.index} returned (${columns.join(", ")}); csv output needs the same columns from every mini-batch.`,
    );
  }
  return columns;
}
