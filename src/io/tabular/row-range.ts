import { createReadStream } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import { parquetWriteBuffer } from "hyparquet-writer";
import { z } from "zod";
import { errors } from "../../errors.js";
import { readParquetColumns } from "./parquet-columns.js";
import { RecordScanner } from "./record-scanner.js";
import type { TabularFormat } from "./table.js";

const rowRangeSchema = z.object({
  source: z.string().min(1),
  format: z.enum(["csv", "parquet", "jsonl"]),
  start: z.number().int().min(0),
  count: z.number().int().min(0),
  target: z.string().min(1),
});

/** What `writeRowRange` cuts: rows [start, start + count) of `source`, 0-based, written to `target`. */
export interface RowRange {
  source: string;
  format: TabularFormat;
  start: number;
  count: number;
  target: string;
}

/**
 * Writes a file of the same format holding exactly rows [start, start + count) of the source: a CSV
 * keeps its header row and the rows' bytes as they are; JSON lines keep their lines; parquet is
 * re-encoded with the source schema. Fails with `InvalidInputFile` when the source has fewer rows.
 */
export async function writeRowRange(range: RowRange): Promise<void> {
  const parsed = rowRangeSchema.safeParse(range);
  if (!parsed.success) {
    throw errors.invalidSpec(
      "Invalid row range.",
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  const written =
    range.format === "parquet" ? await writeParquetRange(range) : await writeTextRange(range, range.format);
  if (written < range.count) {
    throw errors.invalidInputFile(
      `Cannot cut rows ${range.start}-${range.start + range.count - 1} out of '${range.source}': it holds only ${range.start + written} rows.`,
    );
  }
}

async function writeTextRange(range: RowRange, format: "csv" | "jsonl"): Promise<number> {
  const first = format === "csv" ? range.start + 1 : range.start;
  const last = first + range.count - 1;
  const keep = (record: number) => (format === "csv" && record === 0) || (record >= first && record <= last);
  const scanner = new RecordScanner(format);
  const output = await open(range.target, "w");
  let record = 0;
  try {
    for await (const data of createReadStream(range.source, { highWaterMark: 1 << 20 })) {
      const chunk = data as Buffer;
      const pieces: Buffer[] = [];
      let segmentStart = 0;
      let done = false;
      scanner.scan(chunk, (end) => {
        if (keep(record) && end > segmentStart) pieces.push(chunk.subarray(segmentStart, end));
        segmentStart = end;
        record++;
        done = record > last;
        return !done;
      });
      if (!done && keep(record) && segmentStart < chunk.length) pieces.push(chunk.subarray(segmentStart));
      if (pieces.length > 0) await output.writev(pieces);
      if (done) break;
    }
  } finally {
    await output.close();
  }
  if (record <= last && scanner.pendingRecord) record++;
  const dataRecords = format === "csv" ? record - 1 : record;
  return Math.max(0, Math.min(range.count, dataRecords - range.start));
}

async function writeParquetRange(range: RowRange): Promise<number> {
  const parquet = await readParquetColumns(range.source, {
    start: range.start,
    end: range.start + range.count,
  });
  const buffer = parquetWriteBuffer({
    columnData: parquet.names.map((name, index) => ({ name, data: parquet.data[index] ?? [] })),
    schema: parquet.metadata.schema,
    kvMetadata: parquet.metadata.key_value_metadata,
  });
  await writeFile(range.target, new Uint8Array(buffer));
  return parquet.rowCount;
}
