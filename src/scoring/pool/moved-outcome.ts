import type { OutputPiece } from "../../io/output/output-pieces.js";
import type { WorkerOutcome } from "./worker-protocol.js";

const encoder = new TextEncoder();

/**
 * A worker's outcome ready to be moved to the pool's thread: every output piece's text encoded as
 * UTF-8 here, in the worker, into bytes of its own whose buffer is transferred (moved, not copied),
 * so the pool's thread neither copies nor encodes the text of a mini-batch (the stager uploads
 * bytes as they are: the same bytes as `Buffer.from(text, "utf8")`, lone surrogates included, as
 * U+FFFD). Bytes a runtime made itself (a Parquet part) are copied as before: their buffer may be
 * shared with other data.
 */
export function movedOutcome(outcome: WorkerOutcome): { outcome: WorkerOutcome; transfer: ArrayBuffer[] } {
  if (!outcome.ok || !outcome.pieces) return { outcome, transfer: [] };
  const transfer: ArrayBuffer[] = [];
  const pieces = outcome.pieces.map((piece): OutputPiece => {
    if (typeof piece.content !== "string") return piece;
    const content = encoder.encode(piece.content);
    transfer.push(content.buffer);
    return { ...piece, content };
  });
  return { outcome: { ...outcome, pieces }, transfer };
}
