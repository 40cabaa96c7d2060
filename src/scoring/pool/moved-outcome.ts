import type { OutputPiece } from "../../io/output/output-pieces.js";
import type { WorkerOutcome } from "./worker-protocol.js";

const encoder = new TextEncoder();

/**
 * A worker's outcome ready to be moved to the pool's thread: every output piece's text encoded as
 * UTF-8 here, in the worker, into bytes of its own whose buffer is transferred (moved, not copied),
 * so the pool's thread neither copies nor encodes the text of a mini-batch (the stager uploads
 * bytes as they are: the same bytes as `Buffer.from(text, "utf8")`, lone surrogates included, as
 * U+FFFD). A text piece a runtime already wrote as bytes (`OutputRequest.bytes`) moves too when
 * they fill a buffer of their own; a Parquet part is copied as before (its buffer may hold other
 * data).
 */
export function movedOutcome(outcome: WorkerOutcome): { outcome: WorkerOutcome; transfer: ArrayBuffer[] } {
  if (!outcome.ok || !outcome.pieces) return { outcome, transfer: [] };
  const transfer = new Set<ArrayBuffer>();
  const pieces = outcome.pieces.map((piece): OutputPiece => {
    if (typeof piece.content !== "string") {
      if (piece.types === undefined && ownsBuffer(piece.content)) transfer.add(piece.content.buffer);
      return piece;
    }
    const content = encoder.encode(piece.content);
    transfer.add(content.buffer);
    return { ...piece, content };
  });
  return { outcome: { ...outcome, pieces }, transfer: [...transfer] };
}

/** Bytes that are the whole of a plain ArrayBuffer (not a slice of Node's Buffer pool, not shared memory). */
function ownsBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return (
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  );
}
