import { errors } from "../../errors.js";
import { parseNumberText } from "../../io/tabular/column-values.js";
import type { Table, TableColumn } from "../../io/tabular/table.js";
import type { Feed, FeedPlan, OnnxElemType } from "./feed-plan.js";

export type InputArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];

/** The data of one ONNX input for a whole file: `width` values per row, row after row. */
export interface InputData {
  input: string;
  type: OnnxElemType;
  data: InputArray;
  width: number;
  /** 1 → shape [N], 2 → shape [N,width]. */
  rank: 1 | 2;
}

/** Where a file's values come from, for messages: its name and the rows before it in the original file. */
export interface FileOrigin {
  name: string;
  rowOffset: number;
}

/**
 * Builds the input data of every feed from a table. A missing column fails with `MissingColumn`, a
 * value that does not fit the input's type with `InvalidColumnValue` (naming file, column and row),
 * a wrong number of numeric columns with `InputSchemaMismatch`.
 */
export function buildInputs(plan: FeedPlan, table: Table, file: FileOrigin): InputData[] {
  for (const name of plan.requiredColumns) findColumn(table, name, file, "the model signature requires it");
  return plan.feeds.map((feed) => buildInput(feed, table, file));
}

function buildInput(feed: Feed, table: Table, file: FileOrigin): InputData {
  if (feed.kind === "column") {
    const column = findColumn(table, feed.column, file, `it feeds input '${feed.input}'`);
    return {
      input: feed.input,
      type: feed.type,
      data: convert(column, feed.type, table.rowCount, file),
      width: 1,
      rank: feed.rank,
    };
  }
  const columns =
    feed.columns === "numeric"
      ? numericColumns(table, feed, file)
      : feed.columns.map((name) => findColumn(table, name, file, `it feeds input '${feed.input}'`));
  const width = columns.length;
  const rows = table.rowCount;
  const parts = columns.map((column) => convert(column, feed.type, rows, file));
  const data = allocate(feed.type, rows * width);
  parts.forEach((part, k) => {
    for (let i = 0; i < rows; i++) (data as unknown[])[i * width + k] = part[i];
  });
  return { input: feed.input, type: feed.type, data, width, rank: 2 };
}

function findColumn(table: Table, name: string, file: FileOrigin, why: string): TableColumn {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) {
    const present = table.columns.map((c) => `'${c.name}'`).join(", ") || "none";
    throw errors.missingColumn(
      `File '${file.name}' has no column '${name}', but ${why} (columns in the file: ${present}).`,
    );
  }
  return column;
}

function numericColumns(
  table: Table,
  feed: Extract<Feed, { kind: "matrix" }>,
  file: FileOrigin,
): TableColumn[] {
  const numeric = table.columns.filter((c) => c.kind === "number");
  if (feed.width === undefined || numeric.length === feed.width) return numeric;
  const others = table.columns
    .filter((c) => c.kind !== "number")
    .map((c) => {
      const bad = firstNonNumber(c);
      return bad === undefined
        ? `'${c.name}'`
        : `'${c.name}' (row ${file.rowOffset + bad.row + 1}: '${bad.text}')`;
    });
  throw errors.inputSchemaMismatch(
    `File '${file.name}' has ${numeric.length} numeric column${numeric.length === 1 ? "" : "s"} (${numeric.map((c) => `'${c.name}'`).join(", ") || "none"}) but input '${feed.input}' takes ${feed.width} values per row, from all numeric columns in file order${others.length > 0 ? `; not numeric: ${others.join(", ")}` : ""}.`,
  );
}

function firstNonNumber(column: TableColumn): { row: number; text: string } | undefined {
  for (let i = 0; i < column.values.length; i++) {
    const value = column.values[i];
    if (typeof value === "string" && parseNumberText(value) === undefined) return { row: i, text: value };
  }
  return undefined;
}

function allocate(type: OnnxElemType, length: number): InputArray {
  switch (type) {
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int64":
      return new BigInt64Array(length);
    case "int32":
      return new Int32Array(length);
    case "bool":
      return new Uint8Array(length);
    case "string":
      return new Array<string>(length).fill("");
  }
}

function convert(column: TableColumn, type: OnnxElemType, rows: number, file: FileOrigin): InputArray {
  const fail = (i: number, problem: string) =>
    errors.invalidColumnValue(
      `File '${file.name}', row ${file.rowOffset + i + 1}, column '${column.name}': ${problem} (the model takes ${type} values from this column).`,
    );
  if (column.kind === "number") {
    const fast = convertNumbers(column.values, type, rows, fail);
    if (fast !== undefined) return fast;
  }
  const out = allocate(type, rows);
  if (type === "string") {
    const strings = out as string[];
    for (let i = 0; i < rows; i++) {
      const value = column.values[i];
      strings[i] =
        value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))
          ? ""
          : String(value);
    }
    return strings;
  }
  for (let i = 0; i < rows; i++) {
    const value = numberAt(column, i, type === "bool");
    if (value === undefined)
      throw fail(
        i,
        `the value '${String(column.values[i])}' is not ${type === "bool" ? "true/false" : "a number"}`,
      );
    if (type === "float32" || type === "float64") {
      (out as Float32Array | Float64Array)[i] = value;
      continue;
    }
    if (Number.isNaN(value)) throw fail(i, "the value is missing");
    if (type === "bool") {
      (out as Uint8Array)[i] = value !== 0 ? 1 : 0;
    } else if (
      !Number.isInteger(value) ||
      (type === "int32" && (value < -2147483648 || value > 2147483647))
    ) {
      throw fail(i, `the value ${value} is not ${type === "int32" ? "a 32-bit integer" : "an integer"}`);
    } else if (type === "int64") {
      (out as BigInt64Array)[i] = BigInt(value);
    } else {
      (out as Int32Array)[i] = value;
    }
  }
  return out;
}

/**
 * The common case without a check per cell of the column's kind: a numeric column (a Float64Array)
 * into a float64 input as it is (no copy), a float32 input in one native conversion, an integer
 * input with one integer check per value. Undefined for the other types (the general path).
 */
function convertNumbers(
  values: Float64Array,
  type: OnnxElemType,
  rows: number,
  fail: (i: number, problem: string) => Error,
): InputArray | undefined {
  const column = values.length === rows ? values : values.subarray(0, rows);
  switch (type) {
    case "float64":
      return column;
    case "float32":
      return new Float32Array(column);
    case "int64": {
      const out = new BigInt64Array(rows);
      for (let i = 0; i < rows; i++) {
        const value = column[i] as number;
        if (!Number.isInteger(value)) throw integerFailure(fail, i, value, "an integer");
        out[i] = BigInt(value);
      }
      return out;
    }
    case "int32": {
      const out = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const value = column[i] as number;
        if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)
          throw integerFailure(fail, i, value, "a 32-bit integer");
        out[i] = value;
      }
      return out;
    }
    default:
      return undefined;
  }
}

function integerFailure(
  fail: (i: number, problem: string) => Error,
  i: number,
  value: number,
  what: string,
): Error {
  return Number.isNaN(value) ? fail(i, "the value is missing") : fail(i, `the value ${value} is not ${what}`);
}

/** The number at row i (NaN when missing), or undefined when the value is not a number. */
function numberAt(column: TableColumn, i: number, booleanText: boolean): number | undefined {
  if (column.kind === "number") return column.values[i];
  const value = column.values[i];
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (booleanText) {
    const lower = value.toLowerCase();
    if (lower === "true") return 1;
    if (lower === "false") return 0;
  }
  return parseNumberText(value);
}
