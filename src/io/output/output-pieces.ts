import { errors } from "../../errors.js";
import { batchBytes } from "./batch-bytes.js";
import { batchText } from "./batch-text.js";
import { encodeParquetPart } from "./parquet-part.js";
import { type RowBatch, recordsToBatch, type ValueType } from "./row-batch.js";
import { formatRows } from "./row-format.js";
import type { ScoredRow } from "./scored-rows.js";

/** The `output_format` of append_row: `aml` (Azure ML's rows), `csv`, `jsonl` or `parquet`. */
export type OutputFormat = "aml" | "csv" | "jsonl" | "parquet";

/** How a mini-batch's rows are written, sent with the mini-batch so the worker can write them. */
export interface OutputRequest {
  format: OutputFormat;
  /** `output_layout: per_file`: one piece per input file instead of one for the mini-batch. */
  perFile: boolean;
  /**
   * Text pieces as their UTF-8 bytes rather than a string (`piecesFromBatches`): a scoring worker
   * asks for them, as bytes move to the host's thread without a copy.
   */
  bytes?: boolean;
}

/** What one mini-batch adds to one output file: a block of text, or a Parquet part. */
export interface OutputPiece {
  /** The input item whose rows these are (per_file); absent for the job's single output. */
  file?: string;
  rows: number;
  /** The columns of the rows: the CSV header, the Parquet schema. */
  columns?: string[];
  /** Parquet: the type of each column. */
  types?: ValueType[];
  /** The text, or the Parquet part's body. */
  content: string | Uint8Array;
  /** Parquet: the part's footer (`parquet-part.ts`). */
  footer?: Uint8Array;
}

/**
 * The pieces of typed batches (a no-code runtime's rows): one per input file for per_file, else
 * one. In csv, batches with other columns than the first fail with `OutputColumnsMismatch`. With
 * `request.bytes`, a text piece's content is the UTF-8 bytes of the text.
 */
export function piecesFromBatches(
  batches: readonly RowBatch[],
  request: OutputRequest,
  miniBatch: number,
): OutputPiece[] {
  return groups(batches, request.perFile).map(({ file, items }) => {
    if (request.format === "parquet") return parquetPiece(file, encodeParquetPart(items, miniBatch));
    const format = request.format;
    let text = "";
    const chunks: Uint8Array[] = [];
    let rows = 0;
    const columns = (items.find((batch) => batch.count > 0) ?? items[0])?.columns.map(
      (column) => column.name,
    );
    for (const batch of items) {
      if (batch.count === 0) continue;
      if (format === "csv") sameColumns(batch, columns ?? [], miniBatch);
      if (request.bytes) chunks.push(batchBytes(batch, format) ?? encoder.encode(batchText(batch, format)));
      else text += batchText(batch, format);
      rows += batch.count;
    }
    const content = request.bytes ? joinBytes(chunks) : text;
    return piece(file, rows, content, format === "csv" ? columns : undefined);
  });
}

/**
 * The pieces of records (a script's rows, or a Python model's): split by `fileRows` (consecutive
 * runs of rows per input file) for per_file; a mini-batch of one file needs none. Parquet types
 * come from `types` where given (see `recordsToBatch`).
 */
export function piecesFromRecords(
  rows: readonly ScoredRow[],
  request: OutputRequest,
  options: {
    miniBatch: number;
    fileRows?: ReadonlyArray<{ file: string; rows: number }>;
    /** The only input file of the mini-batch, for per_file without `fileRows`. */
    onlyFile?: string;
    types?: Readonly<Record<string, ValueType>>;
  },
): OutputPiece[] {
  if (request.perFile && rows.length === 0 && !options.fileRows && options.onlyFile === undefined) return [];
  const runs = request.perFile ? fileRuns(rows.length, options) : [{ file: undefined, rows: rows.length }];
  let at = 0;
  return runs.map((run) => {
    const slice = rows.slice(at, at + run.rows);
    at += run.rows;
    if (request.format === "parquet") {
      const batch = recordsToBatch(slice, {
        miniBatch: options.miniBatch,
        ...(run.file === undefined ? {} : { file: run.file }),
        ...(options.types ? { types: options.types } : {}),
      });
      return parquetPiece(run.file, encodeParquetPart([batch], options.miniBatch));
    }
    const formatted = formatRows(slice, request.format, options.miniBatch);
    return piece(run.file, formatted.text === "" ? 0 : slice.length, formatted.text, formatted.columns);
  });
}

function fileRuns(
  count: number,
  options: { fileRows?: ReadonlyArray<{ file: string; rows: number }>; onlyFile?: string },
): Array<{ file: string | undefined; rows: number }> {
  if (options.fileRows) {
    const total = options.fileRows.reduce((sum, run) => sum + run.rows, 0);
    if (total !== count) {
      throw errors.corruptRecord(`The runtime attributed ${total} of its ${count} rows to input files.`);
    }
    return [...options.fileRows];
  }
  if (options.onlyFile === undefined) {
    throw errors.invalidSpec(
      "output_layout per_file needs one input file per mini-batch when the rows do not name their file; set mini_batch_size: 1.",
      [{ path: "settings.output_layout", message: "needs mini_batch_size: 1 with a scoring script" }],
    );
  }
  return [{ file: options.onlyFile, rows: count }];
}

function groups(batches: readonly RowBatch[], perFile: boolean) {
  if (!perFile) return [{ file: undefined, items: [...batches] }];
  const byFile = new Map<string, RowBatch[]>();
  for (const batch of batches) {
    const file = batch.file ?? "";
    byFile.set(file, [...(byFile.get(file) ?? []), batch]);
  }
  return [...byFile].map(([file, items]) => ({ file, items }));
}

function sameColumns(batch: RowBatch, columns: readonly string[], miniBatch: number): void {
  const names = batch.columns.map((column) => column.name);
  if (names.join("\u0000") === columns.join("\u0000")) return;
  throw errors.outputColumnsMismatch(
    `Mini-batch ${miniBatch}: the rows of '${batch.file ?? "a file"}' have the columns (${names.join(", ")}) but earlier rows have (${columns.join(", ")}); csv output needs the same columns in every row.`,
  );
}

const encoder = new TextEncoder();

/** The chunks one after the other, in bytes of their own (the only chunk as it is). */
function joinBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const joined = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}

function piece(
  file: string | undefined,
  rows: number,
  content: string | Uint8Array,
  columns?: string[],
): OutputPiece {
  return {
    ...(file === undefined ? {} : { file }),
    rows,
    ...(columns ? { columns } : {}),
    content,
  };
}

function parquetPiece(file: string | undefined, part: ReturnType<typeof encodeParquetPart>): OutputPiece {
  return {
    ...(file === undefined ? {} : { file }),
    rows: part.rows,
    columns: part.columns,
    types: part.types,
    content: part.rows === 0 ? new Uint8Array(0) : part.body,
    footer: part.footer,
  };
}
