import type { SchemaElement } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { errors } from "../../errors.js";
import { type BatchColumn, commonType, type RowBatch, type ValueType } from "./row-batch.js";

/**
 * One mini-batch's rows for one Parquet output file: `body` is row groups as they sit in a file
 * right after its leading magic `PAR1`, and `footer` what follows them in a file of just this part
 * (metadata, its length, `PAR1`), kept so the finaliser can place the row groups in the whole file
 * (`parquet-footer.ts`). `types` is per column; `null` marks a column with no value in this part.
 */
export interface ParquetPart {
  body: Uint8Array;
  footer: Uint8Array;
  rows: number;
  columns: string[];
  types: ValueType[];
}

const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]);

/** The 4 bytes every Parquet file starts (and ends) with. */
export function parquetMagic(): Uint8Array {
  return MAGIC.slice();
}

/** How a value type is written: every column optional; a `null` column as text (relabelled later). */
export function schemaElement(name: string, type: ValueType): SchemaElement {
  const base = { name, repetition_type: "OPTIONAL" as const };
  switch (type) {
    case "int32":
      return { ...base, type: "INT32" };
    case "int64":
      return { ...base, type: "INT64" };
    case "float32":
      return { ...base, type: "FLOAT" };
    case "float64":
      return { ...base, type: "DOUBLE" };
    case "boolean":
      return { ...base, type: "BOOLEAN" };
    case "timestamp":
      return { ...base, type: "INT64", converted_type: "TIMESTAMP_MILLIS" };
    case "json":
      return { ...base, type: "BYTE_ARRAY", converted_type: "JSON" };
    case "string":
    case "null":
      return { ...base, type: "BYTE_ARRAY", converted_type: "UTF8" };
  }
}

/**
 * Encodes the batches (one row group each; every batch with the same columns) as a Parquet part.
 * A column whose type differs between batches (one of them having no value is fine) is refused with
 * `OutputColumnsMismatch`, as is a batch with other columns; a value that does not fit its column's
 * type with `UnsupportedOutputType`.
 */
export function encodeParquetPart(batches: readonly RowBatch[], miniBatch: number): ParquetPart {
  const first = batches[0];
  const columns = first ? first.columns.map((column) => column.name) : [];
  const types = first ? first.columns.map((column) => column.type) : [];
  for (const batch of batches) {
    const names = batch.columns.map((column) => column.name);
    if (names.join("\u0000") !== columns.join("\u0000")) {
      throw errors.outputColumnsMismatch(
        `Mini-batch ${miniBatch}: the rows of '${batch.file ?? "a file"}' have the columns (${names.join(", ")}) but those of '${first?.file ?? "another file"}' have (${columns.join(", ")}); one Parquet file needs the same columns in every row.`,
      );
    }
    batch.columns.forEach((column, k) => {
      const type = commonType(types[k] as ValueType, column.type);
      if (type === undefined) {
        throw errors.outputColumnsMismatch(
          `Mini-batch ${miniBatch}: column '${column.name}' is ${column.type} in '${batch.file ?? "a file"}' but ${types[k]} in '${first?.file ?? "another file"}'; a Parquet column has one type.`,
        );
      }
      types[k] = type;
    });
  }
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.map((name, k) => schemaElement(name, types[k] as ValueType)),
  ];
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({ writer, schema, createdBy: "batchfn" });
  let rows = 0;
  for (const batch of batches) {
    if (batch.count === 0) continue;
    rows += batch.count;
    const written = parquet.write({
      columnData: batch.columns.map((column, k) => {
        const type = types[k] as ValueType;
        return {
          name: column.name,
          data: parquetValues(column, type, miniBatch),
          offsetIndex: false,
          // a column without values is written plainly, so its chunk fits any type (parquet-footer.ts);
          // JSON bounds are left out: the whole document would be repeated in the footer
          ...(type === "null" ? { encoding: "PLAIN" as const } : {}),
          ...(type === "null" || type === "json" ? { statistics: false } : {}),
        };
      }),
      rowGroupSize: batch.count,
    });
    if (written) throw new Error("hyparquet-writer flushed asynchronously into a memory buffer");
  }
  const bodyEnd = writer.offset;
  parquet.finish();
  const file = new Uint8Array(writer.getBuffer());
  return { body: file.slice(MAGIC.length, bodyEnd), footer: file.slice(bodyEnd), rows, columns, types };
}

/** A column's values as hyparquet-writer takes them for its type (nulls kept). */
function parquetValues(column: BatchColumn, type: ValueType, miniBatch: number): unknown[] {
  const values = Array.from(column.values);
  const refuse = (i: number, wanted: string) =>
    errors.unsupportedOutputType(
      `Mini-batch ${miniBatch}, column '${column.name}', row ${i + 1}: ${describe(values[i])} is not ${wanted}, the column's Parquet type.`,
    );
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      values[i] = null;
      continue;
    }
    switch (type) {
      case "int64":
        if (typeof value === "number" && Number.isInteger(value)) values[i] = BigInt(value);
        else if (typeof value !== "bigint") throw refuse(i, "a 64-bit integer");
        break;
      case "int32":
        if (typeof value !== "number" || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
          throw refuse(i, "a 32-bit integer");
        break;
      case "float32":
      case "float64":
        if (typeof value === "bigint") values[i] = Number(value);
        else if (typeof value !== "number") throw refuse(i, "a number");
        break;
      case "boolean":
        if (typeof value !== "boolean") throw refuse(i, "true or false");
        break;
      case "string":
        if (typeof value !== "string")
          values[i] = typeof value === "object" ? JSON.stringify(value) : String(value);
        break;
      case "timestamp": {
        const date = value instanceof Date ? value : new Date(String(value));
        if (Number.isNaN(date.getTime())) throw refuse(i, "a date");
        values[i] = date;
        break;
      }
      case "json":
      case "null":
        break;
    }
  }
  return values;
}

function describe(value: unknown): string {
  if (typeof value === "string") return `the text ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "bigint") return `the value ${value}`;
  return `the value ${JSON.stringify(value) ?? String(value)}`;
}
