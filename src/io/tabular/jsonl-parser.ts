import { ensureError, errors } from "../../errors.js";
import { columnFromValues } from "./column-values.js";
import { describeRow, fileLabel, type ReadTableOptions, type Table } from "./table.js";

/**
 * Parses JSON lines: one JSON object per line, each a row. Blank lines are skipped. Columns are the
 * keys in the order they first appear; a row without a key has a missing value there.
 */
export function parseJsonl(text: string, path: string, options: ReadTableOptions = {}): Table {
  const columns = new Map<string, unknown[]>();
  let rows = 0;
  let line = 0;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const content = text.slice(start, end);
    start = end + 1;
    if (content.trim() === "") continue;
    rows++;
    let record: unknown;
    try {
      record = JSON.parse(content);
    } catch (thrown) {
      throw invalid(path, options, rows, line, `is not valid JSON (${ensureError(thrown).message})`);
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw invalid(
        path,
        options,
        rows,
        line,
        'is not a JSON object (each line must be {"column": value, ...})',
      );
    }
    for (const [key, value] of Object.entries(record)) {
      let column = columns.get(key);
      if (column === undefined) {
        column = new Array<unknown>(rows - 1).fill(null);
        columns.set(key, column);
      }
      column.length = rows - 1;
      column.push(value);
    }
  }
  return {
    columns: [...columns].map(([name, values]) => {
      if (values.length < rows) values.length = rows;
      return columnFromValues(name, values);
    }),
    rowCount: rows,
  };
}

function invalid(path: string, options: ReadTableOptions, row: number, line: number, problem: string) {
  return errors.invalidInputFile(
    `Cannot read JSON lines file ${fileLabel(path, options)}: ${describeRow(row, line, options)} ${problem}.`,
  );
}
