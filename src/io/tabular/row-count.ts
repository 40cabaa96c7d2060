import { createReadStream } from "node:fs";
import { errors } from "../../errors.js";
import { readParquetMetadata } from "./parquet-columns.js";
import { RecordScanner } from "./record-scanner.js";
import type { TabularFormat } from "./table.js";
import { requireTabularFormat } from "./tabular-format.js";

/**
 * Counts the data rows of a tabular file without parsing values: CSV records after the header (a
 * quoted line break does not start a row; blank lines are skipped), non-blank JSON lines, or the
 * row count in a parquet footer. Streams the file, so it is cheap on large files.
 */
export async function countRows(
  path: string,
  format: TabularFormat = requireTabularFormat(path),
): Promise<number> {
  if (format === "parquet") return Number((await readParquetMetadata(path)).num_rows);
  const scanner = new RecordScanner(format);
  let records = 0;
  const onRecordEnd = () => {
    records++;
    return true;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    scanner.scan(chunk as Buffer, onRecordEnd);
  }
  if (scanner.pendingRecord) records++;
  if (format === "jsonl") return records;
  if (records === 0) {
    throw errors.invalidInputFile(
      `Cannot read CSV file '${path}': it is empty, but a header row naming the columns is required.`,
    );
  }
  return records - 1;
}
