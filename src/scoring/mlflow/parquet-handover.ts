import { writeFile } from "node:fs/promises";
import type { DecodedArray, SchemaElement } from "hyparquet";
import { readParquetColumns } from "../../io/tabular/parquet-columns.js";

/** The suffix the Python driver recognises (driver/input_files.py `PARQUET_HANDOVER`). */
export const PARQUET_HANDOVER_SUFFIX = ".batchfn-columns.json";

/** A column's type in the handover: what pandas builds it as. */
type HandoverType = "int64" | "int32" | "float64" | "float32" | "bool" | "string" | "object";

/**
 * Hands a Parquet file over to the Python driver, which cannot read Parquet (Debian's Python has no
 * pyarrow): the file's columns, read here with hyparquet, are written as typed JSON to
 * `target` (whose name must end in `.batchfn-columns.json`): `{"rows": N, "columns": [{"name", "type", "values"}]}`, with the
 * type from the Parquet schema (INT64 → int64, INT32 → int32, DOUBLE → float64, FLOAT → float32,
 * BOOLEAN → bool, text → string), so the driver enforces the model's signature on the file's own
 * types, as MLflow does on `pd.read_parquet`. NaN and ±Infinity are written as the literals Python's
 * json reads; nulls as null. An unreadable file fails with `InvalidInputFile` naming `displayName`.
 */
export async function writeParquetHandover(options: {
  source: string;
  target: string;
  displayName: string;
}): Promise<void> {
  const { source, target, displayName } = options;
  const parquet = await readParquetColumns(source, {}, { displayName });
  const columns = parquet.names.map((name, index) => {
    const element = parquet.metadata.schema.find((e, at) => at > 0 && e.name === name);
    const values = parquet.data[index] ?? [];
    const type = handoverType(element, values);
    return `{"name":${JSON.stringify(name)},"type":"${type}","values":[${valuesText(values)}]}`;
  });
  await writeFile(target, `{"rows":${parquet.rowCount},"columns":[${columns.join(",")}]}`);
}

function handoverType(element: SchemaElement | undefined, values: DecodedArray): HandoverType {
  if (element === undefined || element.num_children) return "object";
  const logical = element.logical_type?.type;
  if (logical === "STRING" || element.converted_type === "UTF8") return "string";
  switch (element.type) {
    case "INT64":
      return logical === "TIMESTAMP" || element.converted_type?.startsWith("TIMESTAMP") ? "string" : "int64";
    case "INT32":
      return logical === "DATE" || element.converted_type === "DATE" ? "string" : "int32";
    case "DOUBLE":
      return "float64";
    case "FLOAT":
      return "float32";
    case "BOOLEAN":
      return "bool";
    default:
      return Array.from(values as ArrayLike<unknown>).every((v) => v === null || typeof v === "string")
        ? "string"
        : "object";
  }
}

function valuesText(values: DecodedArray): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = valueText((values as ArrayLike<unknown>)[i]);
  return parts.join(",");
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return String(value);
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "bigint" ? inner.toString() : inner,
  );
}
