import { errors } from "../../errors.js";
import { type CsvCells, csvColumn } from "./csv-columns.js";
import { describeRow, fileLabel, type ReadTableOptions, type Table } from "./table.js";

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const BOM = 0xfeff;

/**
 * Parses CSV text (RFC 4180: quoted fields, `""` inside quotes, quoted line breaks, CRLF or LF line
 * ends) into a table. The first record is the header and names the columns; blank lines are skipped
 * (as pandas does); every other record must have as many fields as the header. A byte order mark is
 * ignored. Text after a closing quote is kept as part of the field (as Python's csv module does).
 *
 * Cells are first recorded as offsets into the text, then typed column by column, so numbers are
 * read without creating a string per cell.
 */
export function parseCsv(text: string, path: string, options: ReadTableOptions = {}): Table {
  const n = text.length;
  const header: string[] = [];
  let cells: CsvCells[] = [];
  let capacity = 0;
  let width = -1;
  let field = 0;
  let rows = 0;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === BOM ? 1 : 0;
  const fail = (problem: string) => {
    const where =
      width < 0 ? `the header row (line ${recordLine})` : describeRow(rows + 1, recordLine, options);
    return errors.invalidInputFile(`Cannot read CSV file ${fileLabel(path, options)}: ${where} ${problem}.`);
  };
  const store = (start: number, end: number, special: string | undefined) => {
    if (width < 0) {
      header.push(special ?? text.slice(start, end));
    } else {
      const column = cells[field];
      if (column === undefined) throw fail(`has more fields than the header's ${width} columns`);
      if (special === undefined) {
        column.starts[rows] = start;
        column.ends[rows] = end;
      } else {
        column.starts[rows] = -1 - column.specials.length;
        column.specials.push(special);
      }
    }
    field++;
  };
  const endRecord = () => {
    if (width < 0) {
      width = header.length;
      checkHeader(header, path, options);
      capacity = Math.max(16, Math.ceil((n - i) / Math.max(8, i)));
      cells = header.map(() => ({
        starts: new Int32Array(capacity),
        ends: new Int32Array(capacity),
        specials: [],
      }));
    } else {
      if (field < width) {
        throw fail(
          `has ${field} field${field === 1 ? "" : "s"} but the header has ${width}: column '${header[field]}' has no value`,
        );
      }
      rows++;
      if (rows === capacity) {
        capacity *= 2;
        for (const column of cells) {
          column.starts = grow(column.starts, capacity);
          column.ends = grow(column.ends, capacity);
        }
      }
    }
    field = 0;
  };

  while (i < n) {
    let c = text.charCodeAt(i);
    if (field === 0) {
      if (c === LF || c === CR) {
        i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        continue;
      }
      recordLine = line;
    }
    if (c === QUOTE) {
      const open = i + 1;
      let special: string | undefined;
      let start = open;
      let close: number;
      for (;;) {
        close = text.indexOf('"', start);
        if (close < 0) {
          const column = width < 0 ? `header field ${field + 1}` : `column '${header[field]}'`;
          throw fail(`has a quoted field in ${column} that is never closed`);
        }
        line += countLineFeeds(text, start, close);
        if (text.charCodeAt(close + 1) !== QUOTE) break;
        special = (special ?? "") + text.slice(start, close + 1);
        start = close + 2;
      }
      i = close + 1;
      const trailing = i;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      if (special !== undefined || i > trailing) {
        special = (special ?? "") + text.slice(start, close) + text.slice(trailing, i);
      }
      store(open, close, special);
    } else {
      const start = i;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      store(start, i, undefined);
    }
    if (i >= n) break;
    c = text.charCodeAt(i);
    i++;
    if (c === COMMA) {
      if (i >= n) store(i, i, undefined);
      continue;
    }
    if (c === CR && text.charCodeAt(i) === LF) i++;
    line++;
    endRecord();
  }
  if (field > 0) endRecord();
  if (width < 0) {
    throw errors.invalidInputFile(
      `Cannot read CSV file ${fileLabel(path, options)}: it is empty, but a header row naming the columns is required.`,
    );
  }
  const keep = options.stringColumns;
  const selected = options.selectColumns ? new Set(options.selectColumns(header)) : undefined;
  const columns = [];
  for (const [index, name] of header.entries()) {
    if (selected && !selected.has(name)) continue;
    const column = cells[index] ?? { starts: new Int32Array(0), ends: new Int32Array(0), specials: [] };
    columns.push(csvColumn(name, text, column, rows, keep?.has(name) ?? false));
  }
  return { columns, rowCount: rows };
}

function grow(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

function countLineFeeds(text: string, start: number, end: number): number {
  let count = 0;
  let at = text.indexOf("\n", start);
  while (at >= 0 && at < end) {
    count++;
    at = text.indexOf("\n", at + 1);
  }
  return count;
}

function checkHeader(header: string[], path: string, options: ReadTableOptions): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw errors.invalidInputFile(
        `Cannot read CSV file ${fileLabel(path, options)}: column '${name}' appears twice in the header row.`,
      );
    }
    seen.add(name);
  }
}
