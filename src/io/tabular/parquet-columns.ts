import {
  asyncBufferFromFile,
  type DecodedArray,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
} from "hyparquet";
import { BatchfnError, ensureError, errors } from "../../errors.js";
import { fileLabel, type ReadTableOptions } from "./table.js";

/** Top-level columns of a parquet file over a range of rows, with the file's metadata. */
export interface ParquetColumns {
  metadata: FileMetaData;
  names: string[];
  /** One array per name, holding exactly the rows asked for. */
  data: DecodedArray[];
  rowCount: number;
}

interface FillableArray {
  set(array: ArrayLike<unknown>, offset: number): void;
}
type TypedArrayConstructor = new (length: number) => DecodedArray & FillableArray;

/** The bytes as an ArrayBuffer of exactly their length (hyparquet reads any `slice` of it). */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength
    ? buffer
    : new Uint8Array(bytes).buffer;
}

/** Reads the metadata (footer) of a parquet file; a file that is not parquet fails with `InvalidInputFile`. */
export async function readParquetMetadata(
  path: string,
  options: ReadTableOptions = {},
): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(await asyncBufferFromFile(path));
  } catch (thrown) {
    throw unreadable(path, options, thrown);
  }
}

/**
 * Reads rows [start, end) of every top-level column (all rows when no range is given), or of those
 * `select` keeps from the file's column names, from the file at `source`, or from its bytes.
 */
export async function readParquetColumns(
  source: string | Uint8Array,
  range: { start?: number; end?: number; select?: (names: string[]) => string[] } = {},
  options: ReadTableOptions = {},
): Promise<ParquetColumns> {
  const path = typeof source === "string" ? source : (options.displayName ?? "parquet bytes");
  try {
    const file = typeof source === "string" ? await asyncBufferFromFile(source) : wholeBuffer(source);
    const metadata = await parquetMetadataAsync(file);
    const total = Number(metadata.num_rows);
    const start = Math.min(range.start ?? 0, total);
    const end = Math.max(start, Math.min(range.end ?? total, total));
    const all = topLevelNames(metadata);
    const names = range.select ? range.select(all) : all;
    const chunks = new Map<string, { rowStart: number; data: DecodedArray }[]>(
      names.map((name) => [name, []]),
    );
    if (end > start) {
      await parquetRead({
        file,
        metadata,
        rowStart: start,
        rowEnd: end,
        ...(range.select ? { columns: names } : {}),
        onChunk: (chunk) =>
          chunks.get(chunk.columnName)?.push({ rowStart: chunk.rowStart, data: chunk.columnData }),
      });
    }
    const data = names.map((name) => assemble(chunks.get(name) ?? [], start, end));
    return { metadata, names, data, rowCount: end - start };
  } catch (thrown) {
    if (thrown instanceof BatchfnError) throw thrown;
    throw unreadable(path, options, thrown);
  }
}

/** The names of the top-level columns of a parquet file, in file order. */
export function topLevelNames(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const root = metadata.schema[0];
  let index = 1;
  for (let child = 0; child < (root?.num_children ?? 0); child++) {
    const element = metadata.schema[index];
    if (element === undefined) break;
    names.push(element.name);
    index = skipSubtree(metadata, index);
  }
  return names;
}

function skipSubtree(metadata: FileMetaData, index: number): number {
  const children = metadata.schema[index]?.num_children ?? 0;
  let next = index + 1;
  for (let child = 0; child < children; child++) next = skipSubtree(metadata, next);
  return next;
}

function assemble(
  chunks: { rowStart: number; data: DecodedArray }[],
  start: number,
  end: number,
): DecodedArray {
  chunks.sort((a, b) => a.rowStart - b.rowStart);
  const first = chunks[0]?.data;
  const sameTyped =
    first !== undefined &&
    ArrayBuffer.isView(first) &&
    chunks.every((chunk) => chunk.data.constructor === first.constructor);
  const output: DecodedArray = sameTyped
    ? new (first.constructor as TypedArrayConstructor)(end - start)
    : new Array<unknown>(end - start);
  for (const chunk of chunks) {
    const from = Math.max(start, chunk.rowStart);
    const to = Math.min(end, chunk.rowStart + chunk.data.length);
    if (to <= from) continue;
    const piece = chunk.data.slice(from - chunk.rowStart, to - chunk.rowStart);
    if (sameTyped) (output as DecodedArray & FillableArray).set(piece, from - start);
    else for (let i = 0; i < piece.length; i++) (output as unknown[])[from - start + i] = piece[i];
  }
  return output;
}

function unreadable(path: string, options: ReadTableOptions, thrown: unknown) {
  const error = ensureError(thrown);
  return errors.invalidInputFile(`Cannot read parquet file ${fileLabel(path, options)}: ${error.message}.`);
}
