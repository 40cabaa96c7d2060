import { type ColumnChunk, parquetMetadata, type RowGroup, type SchemaElement } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { errors } from "../../errors.js";
import { schemaElement } from "./parquet-part.js";
import { commonType, type ValueType } from "./row-batch.js";

/** A staged Parquet part as the finaliser sees it, in file order. */
export interface FooterPart {
  miniBatch: number;
  /** Bytes of its body (its staged block). */
  bytes: number;
  rows: number;
  columns: readonly string[];
  types: readonly ValueType[];
  /** Its footer (`ParquetPart.footer`). */
  footer: Uint8Array;
}

/**
 * The end of a Parquet file made of `PAR1` and then the parts' bodies in order: the file metadata
 * (one schema, every part's row groups moved to where its body lands), its length and `PAR1`.
 * Every part with columns must have the same ones, of the same type or with no value
 * (`OutputColumnsMismatch` names the two mini-batches otherwise); a column chunk that holds no value
 * is written without dictionary or bounds, so it takes the file's type as it is. A file without any
 * part holds the schema alone (no columns when no part had any).
 */
export function parquetFooter(parts: readonly FooterPart[], fileName: string): Uint8Array {
  const { columns, types } = fileSchema(parts, fileName);
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.map((name, k) => schemaElement(name, types[k] as ValueType)),
  ];
  const physical = schema.slice(1).map((element) => element.type);
  const rowGroups: RowGroup[] = [];
  let offset = 4n;
  let rows = 0n;
  for (const part of parts) {
    if (part.rows > 0) {
      const metadata = parquetMetadata(part.footer);
      const delta = offset - 4n;
      for (const group of metadata.row_groups) {
        rowGroups.push({
          ...group,
          columns: group.columns.map((chunk, k) => moved(chunk, delta, physical[k])),
        });
      }
      rows += metadata.num_rows;
    }
    offset += BigInt(part.bytes);
  }
  const writer = new ByteWriter();
  const file = new ParquetWriter({ writer, schema, createdBy: "batchfn" });
  file.row_groups = rowGroups;
  file.num_rows = rows;
  file.finish();
  return new Uint8Array(writer.getBuffer()).slice(4);
}

function moved(chunk: ColumnChunk, delta: bigint, type: SchemaElement["type"]): ColumnChunk {
  const meta = chunk.meta_data;
  if (!meta) return { ...chunk, file_offset: chunk.file_offset + delta };
  return {
    ...chunk,
    file_offset: chunk.file_offset + delta,
    meta_data: {
      ...meta,
      type: type ?? meta.type,
      data_page_offset: meta.data_page_offset + delta,
      ...(meta.dictionary_page_offset === undefined
        ? {}
        : { dictionary_page_offset: meta.dictionary_page_offset + delta }),
      ...(meta.index_page_offset === undefined ? {} : { index_page_offset: meta.index_page_offset + delta }),
    },
  };
}

function fileSchema(parts: readonly FooterPart[], fileName: string) {
  let first: FooterPart | undefined;
  const types: ValueType[] = [];
  for (const part of parts) {
    if (part.columns.length === 0) continue;
    if (!first) {
      first = part;
      types.push(...part.types);
      continue;
    }
    if (part.columns.join("\u0000") !== first.columns.join("\u0000")) {
      throw errors.outputColumnsMismatch(
        `Output file '${fileName}': mini-batch ${part.miniBatch} returned the columns (${part.columns.join(", ")}) but mini-batch ${first.miniBatch} returned (${first.columns.join(", ")}); a Parquet file needs the same columns from every mini-batch.`,
      );
    }
    part.types.forEach((type, k) => {
      const common = commonType(types[k] as ValueType, type);
      if (common === undefined) {
        throw errors.outputColumnsMismatch(
          `Output file '${fileName}': column '${part.columns[k]}' is ${type} in mini-batch ${part.miniBatch} but ${types[k]} in an earlier one; a Parquet column has one type.`,
        );
      }
      types[k] = common;
    });
  }
  return { columns: first?.columns ?? [], types };
}
