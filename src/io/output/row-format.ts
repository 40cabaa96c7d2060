import { errors } from "../../errors.js";
import type { ItemFailure, ScoredRow } from "../../scoring/runtime.js";

export type OutputFormat = "aml" | "csv";

/** The text one mini-batch adds to the output file, and the columns its records had (csv). */
export interface FormattedRows {
  text: string;
  columns?: string[];
}

/**
 * Formats scored rows, one line each, ending in `\n`.
 * - `aml` (Azure ML's `append_row`): a string as is; a record's values joined by one space, no header.
 * - `csv`: RFC 4180 fields (quoted when they hold `,`, `"`, CR or LF); a string row is taken as an
 *   already formatted line. Records are aligned on the keys of the mini-batch's first record (a
 *   missing key is an empty field, an extra key is refused with `OutputColumnsMismatch`); the header
 *   is not part of the text: the finaliser writes it once at the top of each file.
 * Values: strings as is, numbers and booleans as JavaScript prints them, null/undefined empty,
 * dates in ISO 8601, arrays and objects as JSON.
 */
export function formatRows(
  rows: readonly ScoredRow[],
  format: OutputFormat,
  miniBatch: number,
): FormattedRows {
  if (format === "aml") {
    let text = "";
    for (const row of rows) text += `${typeof row === "string" ? row : joinedValues(row)}\n`;
    return { text };
  }
  let columns: string[] | undefined;
  let known: Set<string> | undefined;
  const lines: string[] = [];
  rows.forEach((row, i) => {
    if (typeof row === "string") {
      lines.push(`${row}\n`);
      return;
    }
    columns ??= Object.keys(row);
    known ??= new Set(columns);
    const extra = Object.keys(row).find((key) => !known?.has(key));
    if (extra !== undefined) {
      throw errors.outputColumnsMismatch(
        `Mini-batch ${miniBatch}, row ${i + 1}: column '${extra}' is not among the columns of the first row (${columns.join(", ")}); every record must have the same columns in csv output.`,
      );
    }
    lines.push(`${columns.map((key) => csvField(valueText(row[key]))).join(",")}\n`);
  });
  return { text: lines.join(""), ...(columns ? { columns } : {}) };
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
  let line = values.length > 0 ? valueText(values[0]) : "";
  for (let i = 1; i < values.length; i++) line += ` ${valueText(values[i])}`;
  return line;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? "";
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
