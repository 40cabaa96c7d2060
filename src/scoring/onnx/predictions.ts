import { errors } from "../../errors.js";
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

/**
 * Appends one record per row of a scored batch: `row` (index in the original file, from 0, as Azure
 * ML numbers it), the prediction columns, and `file_name`.
 */
export function appendPredictions(options: {
  rows: Record<string, unknown>[];
  results: Readonly<Record<string, OutputTensor>>;
  columns: readonly OutputColumn[];
  firstRow: number;
  count: number;
  fileName: string;
}): void {
  const { rows, results, columns, firstRow, count, fileName } = options;
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
  for (let i = 0; i < count; i++) {
    const record: Record<string, unknown> = { row: firstRow + i };
    for (const output of outputs) {
      if (output.width === 1) record[output.base] = output.values[i];
      else
        for (let k = 0; k < output.width; k++)
          record[`${output.base}_${k}`] = output.values[i * output.width + k];
    }
    record.file_name = fileName;
    rows.push(record);
  }
}

function readValues(tensor: OutputTensor): ArrayLike<unknown> {
  const data = tensor.data;
  if (data instanceof Float32Array) return Array.from(data, shortestFloat32);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (tensor.type === "bool" && data instanceof Uint8Array) return Array.from(data, (v) => v !== 0);
  if (ArrayBuffer.isView(data) || Array.isArray(data)) return data as ArrayLike<unknown>;
  throw errors.modelRunFailed(`An output of type ${tensor.type} cannot be written as predictions.`);
}
