import { errors } from "../../errors.js";
import type { ItemFailure, ScoredRow } from "./scored-rows.js";

/** The append_row formats written as text, one line per row. */
export type TextFormat = "aml" | "csv" | "jsonl";

/** The text one mini-batch adds to the output file, and the columns its records had (csv). */
export interface FormattedRows {
  text: string;
  columns?: string[];
}

/**
 * Formats scored rows, one line each, ending in `\n`: every result is exactly one row, whatever its
 * text holds.
 * - `aml` (Azure ML's `append_row`): a string as is; a record's values joined by one space, no header;
 *   a line feed or carriage return inside a string or value is written as `\n` or `\r` (`amlText`).
 * - `jsonl`: a record as one JSON object (its keys in its own order, values as `jsonValue` writes
 *   them), a string row as a JSON string.
 * - `csv`: RFC 4180 fields (quoted when they hold `,`, `"`, CR or LF); a string row is one field.
 *   Records are aligned on the keys of the mini-batch's first record (a missing key is an empty
 *   field, an extra key is refused with `OutputColumnsMismatch`); the header is not part of the
 *   text: the finaliser writes it once at the top of each file.
 * Values: strings as is, numbers and booleans as JavaScript prints them, null/undefined empty,
 * dates in ISO 8601, arrays and objects as JSON.
 */
export function formatRows(rows: readonly ScoredRow[], format: TextFormat, miniBatch: number): FormattedRows {
  if (format === "jsonl") return { text: jsonRecords(rows) };
  if (format === "aml") {
    let text = "";
    for (const row of rows) text += `${typeof row === "string" ? amlText(row) : joinedValues(row)}\n`;
    return { text };
  }
  let columns: string[] | undefined;
  let text = "";
  const fields = new FieldCache();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as ScoredRow;
    if (typeof row === "string") {
      text += `${csvField(row)}\n`;
      continue;
    }
    columns ??= Object.keys(row);
    let line = "";
    let present = 0;
    for (let c = 0; c < columns.length; c++) {
      const key = columns[c] as string;
      const value = row[key];
      if (value !== undefined || key in row) present += 1;
      const field = typeof value === "number" ? String(value) : fields.csv(valueText(value));
      line = c === 0 ? field : `${line},${field}`;
    }
    if (present !== ownKeyCount(row)) throw extraColumn(row, columns, miniBatch, i);
    text += `${line}\n`;
  }
  return { text, ...(columns ? { columns } : {}) };
}

function jsonRecords(rows: readonly ScoredRow[]): string {
  let text = "";
  for (const row of rows) {
    if (typeof row === "string") {
      text += `${JSON.stringify(row)}\n`;
      continue;
    }
    let line = "";
    for (const key in row) {
      if (!Object.hasOwn(row, key)) continue;
      line += `${line === "" ? "" : ","}${JSON.stringify(key)}:${jsonValue(row[key])}`;
    }
    text += `{${line}}\n`;
  }
  return text;
}

function extraColumn(row: Record<string, unknown>, columns: string[], miniBatch: number, i: number): Error {
  const extra = Object.keys(row).find((key) => !columns.includes(key));
  return errors.outputColumnsMismatch(
    `Mini-batch ${miniBatch}, row ${i + 1}: column '${extra}' is not among the columns of the first row (${columns.join(", ")}); every record must have the same columns in csv output.`,
  );
}

function ownKeyCount(row: Record<string, unknown>): number {
  let count = 0;
  for (const key in row) if (Object.hasOwn(row, key)) count += 1;
  return count;
}

/** CSV fields of the last text seen (a file name repeats on every row of its file). */
class FieldCache {
  private lastText: string | undefined;
  private lastField = "";

  csv(text: string): string {
    if (text !== this.lastText) {
      this.lastText = text;
      this.lastField = csvField(text);
    }
    return this.lastField;
  }
}

/** The header line of a CSV file with these columns. */
export function csvHeader(columns: readonly string[]): string {
  return `${columns.map(csvField).join(",")}\n`;
}

/** One `errors.jsonl` line per failed item, tagged with its mini-batch and attempt. */
export function errorLines(failures: readonly ItemFailure[], miniBatch: number, attempt: number): string {
  return failures
    .map(
      (failure) =>
        `${JSON.stringify({
          item: failure.item,
          mini_batch: miniBatch,
          attempt,
          code: failure.code,
          message: failure.message,
          ...(failure.count === 1 ? {} : { count: failure.count }),
        })}\n`,
    )
    .join("");
}

/** A record's values joined by one space (Azure ML's append_row). */
function joinedValues(row: Record<string, unknown>): string {
  const values = Object.values(row);
  let line = values.length > 0 ? amlText(valueText(values[0])) : "";
  for (let i = 1; i < values.length; i++) line += ` ${amlText(valueText(values[i]))}`;
  return line;
}

/**
 * Text as it goes into an `aml` row: a line feed becomes `\n` and a carriage return `\r` (backslash
 * and letter), so the row stays one line; everything else, backslashes included, is kept as is.
 */
export function amlText(text: string): string {
  if (!LINE_BREAK.test(text)) return text;
  return text.replaceAll("\n", "\\n").replaceAll("\r", "\\r");
}

const LINE_BREAK = /[\r\n]/;

/** A value as output text: strings as is, numbers and booleans printed, null/undefined empty, dates ISO, the rest JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? "";
}

/** A CSV field (RFC 4180): quoted when it holds `,`, `"`, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A value as JSON: numbers as JavaScript prints them (NaN and ±Infinity as null, as JSON has no
 * such numbers), integers held as bigints exactly, dates as ISO text, missing values as null.
 */
export function jsonValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "bigint") return value.toString();
  return (
    JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? Number(inner) : inner)) ??
    "null"
  );
}
