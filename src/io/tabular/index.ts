/** Tabular inputs: format detection, readers into columnar tables, row counting and row ranges. */
export { parseNumberText } from "./column-values.js";
export { parseCsv } from "./csv-parser.js";
export { parseJsonl } from "./jsonl-parser.js";
export { readTable } from "./read-table.js";
export { countRows } from "./row-count.js";
export { type RowRange, writeRowRange } from "./row-range.js";
export type { CellValue, ReadTableOptions, Table, TableColumn, TabularFormat } from "./table.js";
export { requireTabularFormat, tabularFormatOf } from "./tabular-format.js";
