import type { ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import type { BlobAccess } from "../inputs/blob-access.js";
import { type BlockKind, blockId, shardOf } from "./output-layout.js";
import { ERRORS_FILE, type OutputTarget } from "./output-target.js";
import { type PartRecord, writePartRecord } from "./part-record.js";
import { errorLines, formatRows } from "./row-format.js";
import type { FormattedRows, RunResult } from "./scored-rows.js";

export interface StageMiniBatchRequest {
  target: OutputTarget;
  index: number;
  attempt: number;
  result: RunResult;
  /** True when the whole mini-batch failed (its `failedItems` then list every item). */
  failed?: boolean;
  /** Files a summary_only script wrote (see uploadSummaryOutputs). */
  outputFiles?: number;
  /** The rows already formatted in the target's format by the scoring worker (`result.rows` is then empty). */
  formatted?: FormattedRows;
}

export interface OutputDeps {
  access: BlobAccess;
  /** The jobs container (config.containers.jobs), where part records live. */
  jobs: ContainerClient;
}

/** What one staged attempt amounts to: counts only, small enough for orchestration history. */
export type StagedMiniBatch = PartRecord;

/**
 * Stages one attempt's output without committing anything: its rows as one uncommitted block of
 * the output file (append_row), its failures as one uncommitted block of errors.jsonl, then the part
 * record naming this attempt. Rows never pass through any other function: the finaliser only
 * commits block ids. A retry stages its own blocks and overwrites the record, so only the last
 * attempt's rows and failures end up in the files, exactly once.
 */
export async function stageMiniBatchOutput(
  request: StageMiniBatchRequest,
  deps: OutputDeps,
): Promise<StagedMiniBatch> {
  const { target, index, attempt, result } = request;
  if (!Number.isInteger(index) || index < 0 || index >= target.miniBatches) {
    throw errors.invalidReference(
      `Mini-batch ${index} is outside the ${target.miniBatches} mini-batches of job '${target.job}'.`,
    );
  }
  const container = deps.access.container(target.location.store, target.location.container);
  const appended = target.action === "append_row";
  const rows = appended ? (request.formatted ?? formatRows(result.rows, target.format, index)) : { text: "" };
  const stagedRows = appended ? (request.formatted?.rows ?? result.rows.length) : 0;
  if (rows.text !== "") {
    await stage(container, target, shardOf(target, index).fileName, "rows", index, attempt, rows.text);
  }
  const failures = errorLines(result.failedItems, index, attempt);
  if (failures !== "") {
    await stage(
      container,
      target,
      shardOf(target, index, ERRORS_FILE).fileName,
      "errors",
      index,
      attempt,
      failures,
    );
  }
  const record: PartRecord = {
    index,
    attempt,
    status: request.failed ? "failed" : "succeeded",
    rows: rows.text === "" ? 0 : stagedRows,
    succeededItems: result.succeededItems,
    failedItems: result.failedItems.reduce((sum, failure) => sum + failure.count, 0),
    errorLines: result.failedItems.length,
    outputFiles: request.outputFiles ?? 0,
    ...(rows.columns ? { columns: rows.columns } : {}),
  };
  await writePartRecord(deps.jobs, target.job, record);
  return record;
}

async function stage(
  container: ContainerClient,
  target: OutputTarget,
  fileName: string,
  kind: BlockKind,
  index: number,
  attempt: number,
  text: string,
): Promise<void> {
  const body = Buffer.from(text, "utf8");
  const blob = container.getBlockBlobClient(`${target.location.prefix}${fileName}`);
  await blob.stageBlock(blockId(target.job, kind, index, attempt), body, body.length);
}
