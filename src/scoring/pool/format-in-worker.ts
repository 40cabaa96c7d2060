import type { FormattedRows, RunResult, ScoredRow } from "../../io/output/scored-rows.js";

/**
 * Formats a mini-batch's rows as output text inside the worker, so that formatting runs on every
 * worker at once and one string crosses the thread boundary instead of a structured clone of every
 * row. Only rows that are strings or records of primitive values are formatted here; for anything
 * else (dates, nested objects, values a structured clone would change or refuse) and for rows the
 * format refuses, it returns undefined and the engine formats the rows itself, as before, so
 * the output and the errors are the same either way. The formatter is loaded on first use: a pool
 * asked for rows only never loads the output code.
 */
export async function formatInWorker(
  result: RunResult,
  format: "aml" | "csv",
  miniBatch: number,
): Promise<FormattedRows | undefined> {
  if (!result.rows.every(isPlainRow)) return undefined;
  const { formatRows } = await import("../../io/output/row-format.js");
  try {
    const formatted = formatRows(result.rows, format, miniBatch);
    return {
      text: formatted.text,
      rows: formatted.text === "" ? 0 : result.rows.length,
      ...(formatted.columns ? { columns: formatted.columns } : {}),
    };
  } catch {
    return undefined;
  }
}

function isPlainRow(row: ScoredRow): boolean {
  if (typeof row === "string") return true;
  if (Object.getPrototypeOf(row) !== Object.prototype) return false;
  for (const key in row) {
    const value = row[key];
    const type = typeof value;
    if (
      value !== null &&
      type !== "string" &&
      type !== "number" &&
      type !== "boolean" &&
      type !== "undefined"
    )
      return false;
  }
  return true;
}
