import { readFile } from "node:fs/promises";
import { columnFromValues } from "./column-values.js";
import { parseCsv } from "./csv-parser.js";
import { parseJsonl } from "./jsonl-parser.js";
import { readParquetColumns } from "./parquet-columns.js";
import type { ReadTableOptions, Table, TabularFormat } from "./table.js";
import { requireTabularFormat } from "./tabular-format.js";

/**
 * Reads a whole tabular file (CSV, parquet, JSON lines) into a columnar table. The format comes from
 * the extension unless given. An unreadable file or row fails with `InvalidInputFile` naming the
 * file, and the row and column where it can.
 */
export async function readTable(
  path: string,
  options: ReadTableOptions & { format?: TabularFormat } = {},
): Promise<Table> {
  const format = options.format ?? requireTabularFormat(path, options.displayName);
  switch (format) {
    case "csv":
      return parseCsv(await readFile(path, "utf8"), path, options);
    case "jsonl":
      return parseJsonl(await readFile(path, "utf8"), path, options);
    case "parquet": {
      const parquet = await readParquetColumns(path, {}, options);
      return {
        columns: parquet.names.map((name, index) => columnFromValues(name, parquet.data[index] ?? [])),
        rowCount: parquet.rowCount,
      };
    }
  }
}
