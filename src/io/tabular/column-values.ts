import type { CellValue, TableColumn } from "./table.js";

/** Text that stands for a missing number, as pandas reads it. */
const MISSING = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]);
const INFINITE = new Map([
  ["inf", Number.POSITIVE_INFINITY],
  ["+inf", Number.POSITIVE_INFINITY],
  ["-inf", Number.NEGATIVE_INFINITY],
]);

/**
 * Reads a number from text: a decimal literal gives its value, a missing-value marker (empty, `NA`,
 * `NaN`, `null`...) gives `NaN`, anything else (words, hex literals) gives undefined.
 */
export function parseNumberText(text: string): number | undefined {
  const value = Number(text);
  if (Number.isNaN(value)) {
    if (MISSING.has(text)) return Number.NaN;
    const infinite = INFINITE.get(text.toLowerCase());
    return infinite ?? (MISSING.has(text.trim()) ? Number.NaN : undefined);
  }
  if (text.length === 0 || text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) {
    const trimmed = text.trim();
    return trimmed === "" ? Number.NaN : parseNumberText(trimmed);
  }
  if (text.length > 1 && text.charCodeAt(0) === 48) {
    const prefix = text.charCodeAt(1) | 32;
    if (prefix === 120 || prefix === 98 || prefix === 111) return undefined;
  }
  return value;
}

/**
 * A column from decoded values (JSON lines, parquet): numbers (and integers of any size) become a
 * numeric column, strings and booleans keep their kind, anything else is a `mixed` column where dates
 * are ISO strings and objects are JSON text.
 */
export function columnFromValues(name: string, values: ArrayLike<unknown>): TableColumn {
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    return { name, kind: "number", values: Float64Array.from(values as ArrayLike<number>) };
  }
  let numbers = 0;
  let strings = 0;
  let booleans = 0;
  let others = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    if (typeof value === "number" || typeof value === "bigint") numbers++;
    else if (typeof value === "string") strings++;
    else if (typeof value === "boolean") booleans++;
    else others++;
  }
  const length = values.length;
  if (strings === 0 && booleans === 0 && others === 0) {
    const numeric = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const value = values[i];
      numeric[i] = typeof value === "number" || typeof value === "bigint" ? Number(value) : Number.NaN;
    }
    return { name, kind: "number", values: numeric };
  }
  const cells = Array.from({ length }, (_, i) => toCell(values[i]));
  if (numbers === 0 && booleans === 0 && others === 0) {
    return { name, kind: "string", values: cells as (string | null)[] };
  }
  if (numbers === 0 && strings === 0 && others === 0) {
    return { name, kind: "boolean", values: cells as (boolean | null)[] };
  }
  return { name, kind: "mixed", values: cells };
}

function toCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? Number(inner) : inner));
}
