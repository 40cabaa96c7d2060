/**
 * The columnar table every tabular reader returns. Columns keep the file's order; values are typed:
 * a numeric column is a `Float64Array` where `NaN` marks a missing value (as pandas reads it), a
 * text column keeps its strings with `null` for a missing value, and a column whose values have
 * several types (possible in JSON lines) is `mixed`.
 */

/** The tabular file formats batchfn reads, found from the file extension. */
export type TabularFormat = "csv" | "parquet" | "jsonl";

/** One value of a `mixed` column. */
export type CellValue = string | number | boolean | null;

export type TableColumn =
  | { name: string; kind: "number"; values: Float64Array }
  | { name: string; kind: "string"; values: (string | null)[] }
  | { name: string; kind: "boolean"; values: (boolean | null)[] }
  | { name: string; kind: "mixed"; values: CellValue[] };

export interface Table {
  /** Columns in file order. */
  columns: TableColumn[];
  rowCount: number;
}

/** How a reader names a file and counts rows in its messages. */
export interface ReadTableOptions {
  /** The file's name as the user knows it (defaults to the local path). */
  displayName?: string;
  /**
   * Rows of the original file before this one (for a row range written by `writeRowRange`), so that
   * messages count rows as in the original file. Line numbers are only given when this is 0.
   */
  rowOffset?: number;
  /** Columns kept as text even when every value looks like a number (CSV), e.g. codes such as zip codes. */
  stringColumns?: ReadonlySet<string>;
  /** Reads only the columns this keeps of the file's column names (in file order); may throw. */
  selectColumns?: (names: readonly string[]) => readonly string[];
}

/** Where a row sits, as a person counts it: data rows from 1 (a CSV header is not a row). */
export function describeRow(row: number, line: number | undefined, options: ReadTableOptions): string {
  const offset = options.rowOffset ?? 0;
  const where = `row ${offset + row}`;
  return offset === 0 && line !== undefined ? `${where} (line ${line})` : where;
}

/** The name used for a file in messages. */
export function fileLabel(path: string, options: ReadTableOptions): string {
  return `'${options.displayName ?? path}'`;
}
