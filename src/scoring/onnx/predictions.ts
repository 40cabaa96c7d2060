import { errors } from "../../errors.js";
import { amlText, csvField, valueText } from "../../io/output/row-format.js";
import { shortestFloat32 } from "./float32-text.js";

/** An output tensor as onnxruntime returns it. */
export interface OutputTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

/** The prediction column(s) of each model output. */
export interface OutputColumn {
  output: string;
  /** Column name for a one-value-per-row output; `<base>_<k>` for an output with K values per row. */
  base: string;
}

const RESERVED = new Set(["row", "file_name"]);

/**
 * Names the prediction columns: a model with one output gives `prediction`; with several outputs each
 * is named after its output (`prediction_<output>` if the output is called `row` or `file_name`).
 * An output with K > 1 values per row ([N,K]) becomes K columns `<base>_0` … `<base>_<K-1>`.
 */
export function outputColumns(outputNames: readonly string[]): OutputColumn[] {
  if (outputNames.length === 1) return outputNames.map((output) => ({ output, base: "prediction" }));
  return outputNames.map((output) => ({
    output,
    base: RESERVED.has(output) ? `prediction_${output}` : output,
  }));
}

/** The predictions of one scored batch of rows, checked: one value (or K) per row of each output. */
export interface PredictionBatch {
  outputs: Array<{ base: string; values: ArrayLike<unknown>; width: number }>;
  /** Index of the batch's first row in the original file. */
  firstRow: number;
  count: number;
  fileName: string;
}

/** Reads the model's outputs for a batch of `count` rows; a missing or misshapen output fails. */
export function predictionBatch(options: {
  results: Readonly<Record<string, OutputTensor>>;
  columns: readonly OutputColumn[];
  firstRow: number;
  count: number;
  fileName: string;
}): PredictionBatch {
  const { results, columns, firstRow, count, fileName } = options;
  const outputs = columns.map((column) => {
    const tensor = results[column.output];
    if (tensor === undefined) throw errors.modelRunFailed(`The model returned no output '${column.output}'.`);
    const values = readValues(tensor);
    if (tensor.dims[0] !== count || values.length % Math.max(count, 1) !== 0) {
      throw errors.modelRunFailed(
        `Output '${column.output}' has shape [${tensor.dims.join(",")}] for a batch of ${count} rows; batchfn needs one row of output per input row.`,
      );
    }
    return { base: column.base, values, width: count === 0 ? 1 : values.length / count };
  });
  return { outputs, firstRow, count, fileName };
}

/**
 * One record per row: `row` (index in the original file, from 0, as Azure ML numbers it), the
 * prediction columns, and `file_name`.
 */
export function predictionRecords(batch: PredictionBatch): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < batch.count; i++) {
    const record: Record<string, unknown> = { row: batch.firstRow + i };
    for (const output of batch.outputs) {
      if (output.width === 1) record[output.base] = output.values[i];
      else
        for (let k = 0; k < output.width; k++)
          record[`${output.base}_${k}`] = output.values[i * output.width + k];
    }
    record.file_name = batch.fileName;
    records.push(record);
  }
  return records;
}

/** The keys of `predictionRecords`' records, in order: the csv columns. */
export function predictionColumnNames(batch: PredictionBatch): string[] {
  const names = ["row"];
  for (const output of batch.outputs) {
    if (output.width === 1) names.push(output.base);
    else for (let k = 0; k < output.width; k++) names.push(`${output.base}_${k}`);
  }
  names.push("file_name");
  return names;
}

/**
 * The output text of `predictionRecords(batch)` in an append_row format, written straight from the
 * tensors (no record per row): exactly what `formatRows` makes of those records — values as
 * JavaScript prints them, joined by a space (`aml`) or a comma with the file name as a CSV field.
 */
export function predictionText(batch: PredictionBatch, format: "aml" | "csv"): string {
  const csv = format === "csv";
  const separator = csv ? "," : " ";
  const field = (value: unknown) =>
    typeof value === "number" ? String(value) : csv ? csvField(valueText(value)) : amlText(valueText(value));
  const fileField = field(batch.fileName);
  const [single] = batch.outputs;
  if (batch.outputs.length === 1 && single?.width === 1 && isNumbers(single.values)) {
    return numberLines(single.values, batch, `${separator}`, `${separator}${fileField}\n`);
  }
  let text = "";
  for (let i = 0; i < batch.count; i++) {
    let line = String(batch.firstRow + i);
    for (const output of batch.outputs) {
      const at = i * output.width;
      for (let k = 0; k < output.width; k++) line += `${separator}${field(output.values[at + k])}`;
    }
    text += `${line}${separator}${fileField}\n`;
  }
  return text;
}

/**
 * The usual case, one number per row: each line is one template (the same text `String` gives a
 * number), with no call per value.
 */
function numberLines(values: NumberArray, batch: PredictionBatch, separator: string, end: string): string {
  let text = "";
  const first = batch.firstRow;
  for (let i = 0; i < batch.count; i++) text += `${first + i}${separator}${values[i]}${end}`;
  return text;
}

type NumberArray = Float64Array | Float32Array | Int32Array | number[];

function isNumbers(values: ArrayLike<unknown>): values is NumberArray {
  if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array)
    return true;
  if (!Array.isArray(values)) return false;
  for (const value of values) if (typeof value !== "number") return false;
  return true;
}

function readValues(tensor: OutputTensor): ArrayLike<unknown> {
  const data = tensor.data;
  if (data instanceof Float32Array) return Array.from(data, shortestFloat32);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (tensor.type === "bool" && data instanceof Uint8Array) return Array.from(data, (v) => v !== 0);
  if (ArrayBuffer.isView(data) || Array.isArray(data)) return data as ArrayLike<unknown>;
  throw errors.modelRunFailed(`An output of type ${tensor.type} cannot be written as predictions.`);
}
