import type { ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { commitFile } from "./commit-file.js";
import { blockId, outputShards, pieceFile } from "./output-layout.js";
import type { OutputTarget } from "./output-target.js";
import { parquetFooter } from "./parquet-footer.js";
import { parquetMagic } from "./parquet-part.js";
import type { PartRecord, StagedPiece } from "./part-record.js";
import { csvHeader } from "./row-format.js";

/** A piece of the last recorded attempt of a mini-batch. */
export interface PieceAt {
  index: number;
  attempt: number;
  piece: StagedPiece;
}

/** One output file and the pieces it is made of, in mini-batch order. */
export interface PlannedOutput {
  fileName: string;
  shard: number;
  pieces: PieceAt[];
}

/** The pieces of every recorded part that staged any, in mini-batch order. */
export function stagedPieces(target: OutputTarget, parts: ReadonlyMap<number, PartRecord>): PieceAt[] {
  return [...parts.values()]
    .filter((part) => part.index < target.miniBatches)
    .sort((a, b) => a.index - b.index)
    .flatMap((part) =>
      (part.pieces ?? []).map((piece) => ({ index: part.index, attempt: part.attempt, piece })),
    );
}

/**
 * The files of the output: the shards of the single file (each with the pieces of its
 * mini-batches), or for per_file one file per input file that had a piece, in order of the first
 * mini-batch that holds it.
 */
export function plannedOutputs(target: OutputTarget, pieces: readonly PieceAt[]): PlannedOutput[] {
  if (target.layout === "single_file") {
    return outputShards(target).map((shard) => ({
      fileName: shard.fileName,
      shard: shard.shard,
      pieces: pieces.filter((at) => at.index >= shard.first && at.index < shard.end),
    }));
  }
  const files = new Map<string, PieceAt[]>();
  for (const at of pieces) {
    const fileName = pieceFile(target, at.index, at.piece);
    files.set(fileName, [...(files.get(fileName) ?? []), at]);
  }
  return [...files].map(([fileName, held]) => ({ fileName, shard: 0, pieces: held }));
}

/**
 * Commits one output file: its pieces' blocks, after the CSV header (the columns every piece with
 * rows shares, else `OutputColumnsMismatch`) or Parquet's magic, and before Parquet's footer.
 */
export async function commitOutput(
  container: ContainerClient,
  target: OutputTarget,
  output: PlannedOutput,
): Promise<void> {
  const ids = output.pieces
    .filter((at) => at.piece.bytes > 0)
    .map((at) => blockId(target.job, "rows", at.index, at.attempt));
  const commit = { container, target, fileName: output.fileName, shard: output.shard, ids };
  if (target.format === "parquet") {
    const parts = output.pieces.map((at) => ({
      miniBatch: at.index,
      bytes: at.piece.bytes,
      rows: at.piece.bytes > 0 ? at.piece.rows : 0,
      columns: at.piece.columns ?? [],
      types: at.piece.types ?? [],
      footer: Buffer.from(at.piece.footer ?? "", "base64"),
    }));
    await commitFile({ ...commit, head: parquetMagic(), tail: parquetFooter(parts, output.fileName) });
    return;
  }
  const columns = target.format === "csv" ? fileColumns(output) : undefined;
  await commitFile(columns ? { ...commit, head: Buffer.from(csvHeader(columns), "utf8") } : commit);
}

function fileColumns(output: PlannedOutput): string[] | undefined {
  const withRows = output.pieces.filter((at) => at.piece.bytes > 0 && at.piece.columns);
  const first = withRows[0] ?? output.pieces.find((at) => at.piece.columns);
  const columns = first?.piece.columns;
  const other = withRows.find((at) => at.piece.columns?.join("\u0000") !== columns?.join("\u0000"));
  if (other && first) {
    throw errors.outputColumnsMismatch(
      `Output file '${output.fileName}': mini-batch ${other.index} returned columns (${other.piece.columns?.join(", ")}) but mini-batch ${first.index} returned (${columns?.join(", ")}); csv output needs the same columns from every mini-batch.`,
    );
  }
  return columns;
}
