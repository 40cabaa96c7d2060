import type { DecodedArray, SchemaElement } from "hyparquet";
import { errors } from "../../errors.js";
import type { BatchColumn, ValueType } from "../../io/output/row-batch.js";
import { readParquetColumns } from "../../io/tabular/parquet-columns.js";
import { readTable } from "../../io/tabular/read-table.js";
import type { TableColumn } from "../../io/tabular/table.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import { shortestFloat32 } from "../onnx/float32-text.js";
import type { MiniBatchFile } from "../runtime.js";
import { type PassThrough, selectPassThrough } from "./pass-through.js";

/**
 * Reads the columns a file passes through to its prediction rows (`selectPassThrough`), every row
 * of the local file (or of its bytes handed over in memory) in order, with values and types as the input holds them: CSV cells as the text
 * written (an empty cell is missing: null), JSON lines values by kind (numbers `float64`; a column
 * of several kinds as text), Parquet columns with their own type (INT32, INT64 as exact integers,
 * FLOAT, DOUBLE, BOOLEAN, text, timestamps; other types as JSON). A file that is not tabular, or
 * lacks the key or an included column, fails with `UnsupportedFileType` or `MissingColumn`.
 */
export async function readPassThrough(file: MiniBatchFile, passThrough: PassThrough): Promise<BatchColumn[]> {
  const format = tabularFormatOf(file.path) ?? tabularFormatOf(file.name);
  if (format === undefined) {
    throw errors.unsupportedFileType(
      `File '${file.name}' is not a tabular file (.csv, .parquet, .pqt, .jsonl), so it has no columns to pass through (key_field, include_columns, exclude_columns).`,
    );
  }
  let order: readonly string[] = [];
  const text = new Set<string>();
  const selectColumns = (names: readonly string[]) => {
    order = selectPassThrough(names, passThrough, file.name);
    // CSV cells pass through as written: every selected column is read as text
    if (format === "csv") for (const name of order) text.add(name);
    return order;
  };
  if (format === "parquet") {
    const parquet = await readParquetColumns(
      file.data ?? file.path,
      { select: (names) => [...selectColumns(names)] },
      { displayName: file.name },
    );
    const columns = parquet.names.map((name, k) =>
      parquetColumn(name, parquet.data[k] ?? [], element(parquet.metadata.schema, name)),
    );
    return ordered(columns, order);
  }
  const table = await readTable(file.path, {
    format,
    ...(file.data ? { bytes: file.data } : {}),
    displayName: file.name,
    rowOffset: file.rowOffset,
    selectColumns,
    stringColumns: text,
  });
  return ordered(
    table.columns.map((column) => tableColumn(column)),
    order,
  );
}

function ordered(columns: BatchColumn[], order: readonly string[]): BatchColumn[] {
  const byName = new Map(columns.map((column) => [column.name, column]));
  return order.flatMap((name) => byName.get(name) ?? []);
}

function tableColumn(column: TableColumn): BatchColumn {
  switch (column.kind) {
    case "number":
      return {
        name: column.name,
        type: "float64",
        values: Array.from(column.values, (value) => (Number.isNaN(value) ? null : value)),
      };
    case "string":
      return { name: column.name, type: "string", values: column.values };
    case "boolean":
      return { name: column.name, type: "boolean", values: column.values };
    case "mixed":
      return {
        name: column.name,
        type: "string",
        values: column.values.map((value) => (value === null ? null : String(value))),
      };
  }
}

function element(schema: readonly SchemaElement[], name: string): SchemaElement | undefined {
  return schema.find((e, at) => at > 0 && e.name === name);
}

function parquetColumn(name: string, data: DecodedArray, schema: SchemaElement | undefined): BatchColumn {
  const values = Array.from(data as ArrayLike<unknown>, (value) => (value === undefined ? null : value));
  const type = parquetType(schema, values);
  if (type === "float32") {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value === "number") values[i] = shortestFloat32(value);
    }
  }
  return { name, type, values };
}

function parquetType(schema: SchemaElement | undefined, values: readonly unknown[]): ValueType {
  if (schema === undefined || schema.num_children) return "json";
  if (values.some((value) => value instanceof Date)) return "timestamp";
  const logical = schema.logical_type?.type;
  if (logical === "STRING" || schema.converted_type === "UTF8" || logical === "ENUM") return "string";
  if (schema.converted_type === "DECIMAL" || logical === "DECIMAL") return "float64";
  switch (schema.type) {
    case "INT32":
      return "int32";
    case "INT64":
      return "int64";
    case "FLOAT":
      return "float32";
    case "DOUBLE":
      return "float64";
    case "BOOLEAN":
      return "boolean";
    default:
      return values.every((value) => value === null || typeof value === "string") ? "string" : "json";
  }
}
