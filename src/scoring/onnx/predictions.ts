import { errors } from "../../errors.js";
import type { BatchColumn, RowBatch, ValueType } from "../../io/output/row-batch.js";
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
  outputs: Array<{ base: string; values: ArrayLike<unknown>; width: number; type: ValueType }>;
  /** Index of the batch's first row in the original file. */
  firstRow: number;
  count: number;
  fileName: string;
}

/**
 * The output column type of an ONNX tensor type, or undefined for those Parquet output does not
 * take (float16, bfloat16, uint64, 4-bit and complex types).
 */
export function onnxValueType(type: string): ValueType | undefined {
  return ONNX_TYPES[type];
}

const ONNX_TYPES: Readonly<Record<string, ValueType>> = {
  float32: "float32",
  float64: "float64",
  int8: "int32",
  int16: "int32",
  int32: "int32",
  uint8: "int32",
  uint16: "int32",
  uint32: "int64",
  int64: "int64",
  bool: "boolean",
  string: "string",
};

/** `UnsupportedOutputType` for a model output Parquet output cannot hold. */
export function unsupportedParquetOutput(label: string, output: { name: string; type: string }) {
  return errors.unsupportedOutputType(
    `${label}: output '${output.name}' is of type ${output.type}, which output_format parquet cannot hold (it holds float32, float64, int8-int64, uint8-uint32, bool and string outputs); use output_format csv or jsonl, or cast the output in the model.`,
    [{ path: "settings.output_format", message: `output '${output.name}' is ${output.type}` }],
  );
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
    const width = count === 0 ? 1 : values.length / count;
    return { base: column.base, values, width, type: onnxValueType(tensor.type) ?? "float64" };
  });
  return { outputs, firstRow, count, fileName };
}

/**
 * The rows of a batch, column by column: `row` (index in the original file, from 0, as Azure ML
 * numbers it), the `joined` input columns (already cut to the batch's rows and named), the
 * prediction columns, and `file_name`.
 */
export function predictionRows(batch: PredictionBatch, joined: readonly BatchColumn[] = []): RowBatch {
  const { count } = batch;
  const rows = new Array<number>(count);
  for (let i = 0; i < count; i++) rows[i] = batch.firstRow + i;
  const columns: BatchColumn[] = [{ name: "row", type: "int64", values: rows }, ...joined];
  for (const output of batch.outputs) {
    if (output.width === 1) {
      columns.push({ name: output.base, type: output.type, values: output.values });
      continue;
    }
    for (let k = 0; k < output.width; k++) {
      const values = new Array<unknown>(count);
      for (let i = 0; i < count; i++) values[i] = output.values[i * output.width + k];
      columns.push({ name: `${output.base}_${k}`, type: output.type, values });
    }
  }
  columns.push({ name: "file_name", type: "string", values: new Array<string>(count).fill(batch.fileName) });
  return { file: batch.fileName, count, columns };
}

/** The names of the prediction columns of a batch (every column but `row` and `file_name`). */
export function predictionNames(batch: PredictionBatch): string[] {
  return batch.outputs.flatMap((output) =>
    output.width === 1
      ? [output.base]
      : Array.from({ length: output.width }, (_, k) => `${output.base}_${k}`),
  );
}

function readValues(tensor: OutputTensor): ArrayLike<unknown> {
  const data = tensor.data;
  if (data instanceof Float32Array) return Array.from(data, shortestFloat32);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (tensor.type === "bool" && data instanceof Uint8Array) return Array.from(data, (v) => v !== 0);
  if (ArrayBuffer.isView(data) || Array.isArray(data)) return data as ArrayLike<unknown>;
  throw errors.modelRunFailed(`An output of type ${tensor.type} cannot be written as predictions.`);
}
