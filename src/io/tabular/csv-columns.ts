import { parseNumberText } from "./column-values.js";
import { fastNumber } from "./fast-number.js";
import type { TableColumn } from "./table.js";

/**
 * The cells of one CSV column as offsets into the file text: cell k is text[starts[k], ends[k]),
 * or, when starts[k] is negative, specials[-1 - starts[k]] (a quoted value that had to be rebuilt).
 */
export interface CsvCells {
  starts: Int32Array;
  ends: Int32Array;
  specials: string[];
}

/** Types a CSV column: numeric when every cell reads as a number or a missing value, else text. */
export function csvColumn(
  name: string,
  text: string,
  cells: CsvCells,
  rows: number,
  keepText: boolean,
): TableColumn {
  if (!keepText) {
    const values = new Float64Array(rows);
    let numeric = true;
    for (let k = 0; k < rows; k++) {
      const start = cells.starts[k] ?? 0;
      const end = cells.ends[k] ?? 0;
      let value = start >= 0 && end > start ? fastNumber(text, start, end) : undefined;
      if (value === undefined) value = parseNumberText(cellText(text, cells, k));
      if (value === undefined) {
        numeric = false;
        break;
      }
      values[k] = value;
    }
    if (numeric) return { name, kind: "number", values };
  }
  const values = new Array<string | null>(rows);
  for (let k = 0; k < rows; k++) {
    const cell = cellText(text, cells, k);
    values[k] = cell === "" ? null : cell;
  }
  return { name, kind: "string", values };
}

function cellText(text: string, cells: CsvCells, k: number): string {
  const start = cells.starts[k] ?? 0;
  if (start < 0) return cells.specials[-1 - start] ?? "";
  return text.slice(start, cells.ends[k] ?? start);
}
