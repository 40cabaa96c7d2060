import { errors } from "../../errors.js";
import type { ScoredRow } from "./scored-rows.js";

/**
 * The type of an output column, which fixes how it is written in Parquet (see `parquet-part.ts`):
 * `null` is a column with no value in this batch, whose type another batch decides.
 */
export type ValueType =
  | "int32"
  | "int64"
  | "float32"
  | "float64"
  | "boolean"
  | "string"
  | "timestamp"
  | "json"
  | "null";

export const VALUE_TYPES: readonly ValueType[] = [
  "int32",
  "int64",
  "float32",
  "float64",
  "boolean",
  "string",
  "timestamp",
  "json",
  "null",
];

/** One output column: its values are `null` where missing; int64 values may be bigints. */
export interface BatchColumn {
  name: string;
  type: ValueType;
  values: ArrayLike<unknown>;
}

/** Rows column by column, all of one input file when `file` is given. */
export interface RowBatch {
  /** The input item the rows come from (its name under the input). */
  file?: string;
  count: number;
  columns: BatchColumn[];
}

/**
 * Records (a script's or a no-code Python model's rows) as a typed batch, for Parquet. Columns are
 * the records' keys in order of first appearance (a record without a key has null there); a column
 * takes its type from `types` when given, else from its values: numbers `float64`, bigints `int64`,
 * booleans, strings, dates `timestamp`, objects and arrays `json`, and `null` when every value is
 * missing. A text row, or a column holding values of two kinds, is refused with
 * `UnsupportedOutputType` naming the row or the column.
 */
export function recordsToBatch(
  rows: readonly ScoredRow[],
  options: { miniBatch: number; file?: string; types?: Readonly<Record<string, ValueType>> },
): RowBatch {
  const values = new Map<string, unknown[]>();
  rows.forEach((row, i) => {
    if (typeof row === "string") {
      throw errors.unsupportedOutputType(
        `Mini-batch ${options.miniBatch}, row ${i + 1} is text; Parquet output needs records (objects of named values): return records, or use output_format csv or jsonl.`,
      );
    }
    for (const key of Object.keys(row)) {
      let column = values.get(key);
      if (column === undefined) {
        column = new Array<unknown>(i).fill(null);
        values.set(key, column);
      }
      column.length = i;
      column.push(row[key] ?? null);
    }
  });
  const columns = [...values].map(([name, column]) => {
    if (column.length < rows.length)
      column.push(...new Array<unknown>(rows.length - column.length).fill(null));
    const type = options.types?.[name] ?? inferType(name, column, options.miniBatch);
    return { name, type, values: column };
  });
  return { ...(options.file === undefined ? {} : { file: options.file }), count: rows.length, columns };
}

function kindOf(value: unknown): ValueType | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "number":
      return "float64";
    case "bigint":
      return "int64";
    case "boolean":
      return "boolean";
    case "string":
      return "string";
    case "object":
      return value instanceof Date ? "timestamp" : "json";
    default:
      return undefined;
  }
}

function inferType(name: string, values: readonly unknown[], miniBatch: number): ValueType {
  let type: ValueType | undefined;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const kind = kindOf(values[i]);
    if (kind === undefined || kind === type) continue;
    if (type === undefined) {
      type = kind;
      first = i;
      continue;
    }
    throw errors.unsupportedOutputType(
      `Mini-batch ${miniBatch}: column '${name}' holds ${type} values (row ${first + 1}) and ${kind} values (row ${i + 1}); a Parquet column has one type.`,
    );
  }
  return type ?? "null";
}

/** The types two batches agree on, `null` giving way to the other; undefined when they differ. */
export function commonType(a: ValueType, b: ValueType): ValueType | undefined {
  if (a === b || b === "null") return a;
  if (a === "null") return b;
  return undefined;
}
