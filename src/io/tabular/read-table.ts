import { readFile } from "node:fs/promises";
import { columnFromValues } from "./column-values.js";
import { parseCsv } from "./csv-parser.js";
import { parseJsonl } from "./jsonl-parser.js";
import { readParquetColumns } from "./parquet-columns.js";
import type { ReadTableOptions, Table, TabularFormat } from "./table.js";
import { requireTabularFormat } from "./tabular-format.js";

/**
 * Reads a whole tabular file (CSV, parquet, JSON lines) into a columnar table: from `bytes` when
 * given (the file's content, handed over in memory; `path` then only names it), else from the file
 * at `path`. The format comes from the extension unless given. An unreadable file or row fails with
 * `InvalidInputFile` naming the file, and the row and column where it can.
 */
export async function readTable(
  path: string,
  options: ReadTableOptions & { format?: TabularFormat; bytes?: Uint8Array } = {},
): Promise<Table> {
  const format = options.format ?? requireTabularFormat(path, options.displayName);
  const { bytes } = options;
  const text = async () =>
    bytes
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
      : readFile(path, "utf8");
  switch (format) {
    case "csv":
      return parseCsv(await text(), path, options);
    case "jsonl": {
      const table = parseJsonl(await text(), path, options);
      if (!options.selectColumns) return table;
      const selected = new Set(options.selectColumns(table.columns.map((column) => column.name)));
      return { ...table, columns: table.columns.filter((column) => selected.has(column.name)) };
    }
    case "parquet": {
      const select = options.selectColumns;
      const range = select ? { select: (names: string[]) => [...select(names)] } : {};
      const parquet = await readParquetColumns(bytes ?? path, range, options);
      return {
        columns: parquet.names.map((name, index) => columnFromValues(name, parquet.data[index] ?? [])),
        rowCount: parquet.rowCount,
      };
    }
  }
}
