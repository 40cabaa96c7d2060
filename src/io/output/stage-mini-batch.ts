import type { ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import type { BlobAccess } from "../inputs/blob-access.js";
import { type BlockKind, blockId, detailed, pieceFile, shardOf } from "./output-layout.js";
import { type OutputPiece, piecesFromRecords } from "./output-pieces.js";
import { ERRORS_FILE, type OutputTarget } from "./output-target.js";
import type { PartRecord, StagedPiece } from "./part-record.js";
import { errorLines } from "./row-format.js";
import type { RunResult } from "./scored-rows.js";

export interface StageMiniBatchRequest {
  target: OutputTarget;
  index: number;
  attempt: number;
  result: RunResult;
  /** True when the whole mini-batch failed (its `failedItems` then list every item). */
  failed?: boolean;
  /** Files a summary_only script wrote (see uploadSummaryOutputs). */
  outputFiles?: number;
  /** The rows already written as output pieces by the scoring worker (`result.rows` is then empty). */
  pieces?: OutputPiece[];
  /** The names of the mini-batch's input files: with one, its rows are that file's (per_file). */
  files?: readonly string[];
  /**
   * Return a small text output (rows and error lines of at most this many bytes each, of a single
   * csv/aml/jsonl file) in the part record instead of staging it: its range's `recordParts` stages
   * it (`record-range.ts`). Only for a caller whose record reaches the orchestration; 0 or absent:
   * stage every output.
   */
  inlineMaxBytes?: number;
}

/** The default of `inlineMaxBytes` for the activities (`BATCHFN_INLINE_OUTPUT_BYTES`). */
export const INLINE_MAX_BYTES = 1024;

export interface OutputDeps {
  access: BlobAccess;
  /** The jobs container (config.containers.jobs), where the range records of parts live (`range-record.ts`). */
  jobs: ContainerClient;
}

/** What one staged attempt amounts to: its part record, small enough for orchestration history. */
export type StagedMiniBatch = PartRecord;

/**
 * Stages one attempt's output without committing anything: its rows as one uncommitted block of
 * the output file (append_row), its failures as one uncommitted block of errors.jsonl, and returns
 * the part record naming this attempt (no write: the orchestration learns the last attempt's record
 * and its range's `recordParts` writes it). Rows never pass through any other function: the
 * finaliser only commits block ids. A retry stages its own blocks and returns its own record, so
 * only the last attempt's rows and failures end up in the files, exactly once.
 */
export async function stageMiniBatchOutput(
  request: StageMiniBatchRequest,
  deps: Pick<OutputDeps, "access">,
): Promise<StagedMiniBatch> {
  const { target, index, attempt, result } = request;
  if (!Number.isInteger(index) || index < 0 || index >= target.miniBatches) {
    throw errors.invalidReference(
      `Mini-batch ${index} is outside the ${target.miniBatches} mini-batches of job '${target.job}'.`,
    );
  }
  const container = deps.access.container(target.location.store, target.location.container);
  const pieces = target.action === "append_row" && !request.failed ? outputPieces(request) : [];
  const failures = errorLines(result.failedItems, index, attempt);
  const max = request.inlineMaxBytes ?? 0;
  const inline = max > 0 ? inlineOutput(target, pieces, failures, max) : undefined;
  const staged: StagedPiece[] = [];
  for (const piece of pieces) {
    const bytes = typeof piece.content === "string" ? Buffer.from(piece.content, "utf8") : piece.content;
    if (bytes.length > 0 && !inline) {
      await stage(container, target, pieceFile(target, index, piece), "rows", index, attempt, bytes);
    }
    staged.push(stagedPiece(piece, bytes.length));
  }
  const rows = staged.reduce((sum, piece) => sum + (piece.bytes > 0 ? piece.rows : 0), 0);
  const columns = target.layout === "single_file" && target.format === "csv" ? pieces[0]?.columns : undefined;
  if (failures !== "" && !inline) {
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
  return {
    index,
    attempt,
    status: request.failed ? "failed" : "succeeded",
    rows,
    succeededItems: result.succeededItems,
    failedItems: result.failedItems.reduce((sum, failure) => sum + failure.count, 0),
    errorLines: result.failedItems.length,
    outputFiles: request.outputFiles ?? 0,
    ...(columns && rows > 0 ? { columns } : {}),
    ...(detailed(target) && staged.length > 0 ? { pieces: staged } : {}),
    ...(inline ? { inline } : {}),
  };
}

/** A single text file's small output, as `PartRecord.inline`; undefined when it must be staged. */
function inlineOutput(target: OutputTarget, pieces: OutputPiece[], failures: string, max: number) {
  if (target.action !== "append_row" || detailed(target) || pieces.length > 1) return undefined;
  const content = pieces[0]?.content ?? "";
  if (Buffer.byteLength(content) > max) return undefined;
  const text = typeof content === "string" ? content : Buffer.from(content).toString("utf8");
  if (Buffer.byteLength(failures) > max) return undefined;
  return { ...(text === "" ? {} : { rows: text }), ...(failures === "" ? {} : { errors: failures }) };
}

/** The pieces of an attempt: as the worker wrote them, else written here from the rows. */
function outputPieces(request: StageMiniBatchRequest): OutputPiece[] {
  const { target, index, result, files } = request;
  if (request.pieces) return request.pieces;
  const only = files?.length === 1 ? files[0] : undefined;
  return piecesFromRecords(
    result.rows,
    { format: target.format, perFile: target.layout === "per_file" },
    { miniBatch: index, ...(only === undefined ? {} : { onlyFile: only }) },
  );
}

function stagedPiece(piece: OutputPiece, bytes: number): StagedPiece {
  return {
    ...(piece.file === undefined ? {} : { file: piece.file }),
    rows: piece.rows,
    bytes,
    ...(piece.columns ? { columns: piece.columns } : {}),
    ...(piece.types ? { types: piece.types } : {}),
    ...(piece.footer ? { footer: Buffer.from(piece.footer).toString("base64") } : {}),
  };
}

async function stage(
  container: ContainerClient,
  target: OutputTarget,
  fileName: string,
  kind: BlockKind,
  index: number,
  attempt: number,
  content: string | Uint8Array,
): Promise<void> {
  const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const blob = container.getBlockBlobClient(`${target.location.prefix}${fileName}`);
  await blob.stageBlock(blockId(target.job, kind, index, attempt), body, body.length);
}
