import { BatchfnError, ensureError, errors } from "../../errors.js";
import { type OutputPiece, piecesFromRecords } from "../../io/output/output-pieces.js";
import type { BatchColumn, ValueType } from "../../io/output/row-batch.js";
import type { ItemFailure, RunResult, ScoredRow } from "../../io/output/scored-rows.js";
import { joinedName } from "../pass-through/pass-through.js";
import { readPassThrough } from "../pass-through/read-pass-through.js";
import type { MiniBatchFile, MiniBatchInput } from "../runtime.js";

/** What the no-code driver's `run_files` answered (driver/mlflow_driver.py). */
export interface DriverRows extends RunResult {
  fileRows?: Array<{ file: string; rows: number }>;
  columnTypes?: Record<string, string>;
}

/**
 * The output pieces of the driver's rows: each file's rows joined with its pass-through columns
 * (`row` first, then the key and the joined columns, then the predictions and `file_name`), typed
 * for Parquet from the predictions' numpy dtypes. A file whose pass-through columns cannot be read
 * (the key missing, an image) fails alone: its rows are dropped and it is listed with its code.
 */
export async function mlflowPieces(
  answer: DriverRows,
  input: MiniBatchInput,
): Promise<{ result: RunResult; pieces: OutputPiece[] }> {
  const request = input.output;
  if (!request) throw new Error("mlflowPieces needs the mini-batch's output request");
  const files = new Map(input.files.map((file) => [file.name, file]));
  const runs = answer.fileRows ?? [{ file: input.files[0]?.name ?? "", rows: answer.rows.length }];
  const rows: ScoredRow[] = [];
  const kept: Array<{ file: string; rows: number }> = [];
  const failedItems: ItemFailure[] = [...answer.failedItems];
  let succeededItems = answer.succeededItems;
  const types: Record<string, ValueType> = {
    row: "int64",
    file_name: "string",
    ...predictionTypes(answer, request.format === "parquet"),
  };
  let at = 0;
  for (const run of runs) {
    const records = answer.rows.slice(at, at + run.rows);
    at += run.rows;
    const file = files.get(run.file);
    try {
      const joined = file && input.passThrough ? await join(records, file, input, types) : records;
      rows.push(...joined);
      kept.push(run);
    } catch (thrown) {
      const error = ensureError(thrown);
      const count = file?.rowCount ?? 1;
      const code = error instanceof BatchfnError ? error.code : "InvalidInputFile";
      failedItems.push({ item: run.file, count, code, message: error.message });
      succeededItems -= count;
    }
  }
  const pieces = piecesFromRecords(rows, request, { miniBatch: input.index, fileRows: kept, types });
  return { result: { rows: [], succeededItems, failedItems }, pieces };
}

async function join(
  records: ScoredRow[],
  file: MiniBatchFile,
  input: MiniBatchInput,
  types: Record<string, ValueType>,
): Promise<ScoredRow[]> {
  const columns = await readPassThrough(file, input.passThrough ?? {});
  const first = records[0];
  const taken = new Set(typeof first === "object" ? Object.keys(first) : ["row", "file_name"]);
  const named = columns.map((column) => ({ ...column, name: joinedName(column.name, taken) }));
  for (const column of named) types[column.name] = column.type;
  return records.map((record) => joinRecord(record, named, file));
}

function joinRecord(record: ScoredRow, columns: readonly BatchColumn[], file: MiniBatchFile): ScoredRow {
  if (typeof record === "string") return record;
  const index = Number(record.row) - file.rowOffset;
  if (
    !Number.isInteger(index) ||
    index < 0 ||
    index >= (columns[0]?.values.length ?? Number.POSITIVE_INFINITY)
  ) {
    throw errors.corruptRecord(
      `The model's row ${String(record.row)} of '${file.name}' is not a row of the file.`,
    );
  }
  const { row, ...rest } = record;
  const joined: Record<string, unknown> = { row };
  for (const column of columns) joined[column.name] = column.values[index] ?? null;
  return Object.assign(joined, rest);
}

/**
 * The predictions' numpy dtypes as output types (text `<U…` as string; an `object` column is typed
 * from its values); for Parquet any other dtype (datetime64, complex, uint64...) is refused with
 * `UnsupportedOutputType`, naming the column.
 */
function predictionTypes(answer: DriverRows, parquet: boolean): Record<string, ValueType> {
  const types: Record<string, ValueType> = {};
  for (const [column, dtype] of Object.entries(answer.columnTypes ?? {})) {
    const type = NUMPY_TYPES[dtype] ?? (/^[<>|=]?U\d+$/.test(dtype) ? "string" : undefined);
    if (type) types[column] = type;
    else if (parquet && dtype !== "object") {
      throw errors.unsupportedOutputType(
        `The model's prediction column '${column}' is of numpy type ${dtype}, which output_format parquet cannot hold (it holds floats, integers up to int64, booleans and text); use output_format csv or jsonl.`,
        [{ path: "settings.output_format", message: `prediction '${column}' is ${dtype}` }],
      );
    }
  }
  return types;
}

const NUMPY_TYPES: Readonly<Record<string, ValueType>> = {
  float64: "float64",
  float32: "float32",
  float16: "float32",
  int64: "int64",
  int32: "int32",
  int16: "int32",
  int8: "int32",
  uint32: "int64",
  uint16: "int32",
  uint8: "int32",
  bool: "boolean",
};
