/**
 * What scoring a mini-batch yields, in the terms the output writes (`stage-mini-batch.ts`,
 * `row-format.ts`): the rows `run()` returned and the items that failed alone (the rows already
 * written by the worker are `OutputPiece`s, `output-pieces.ts`). Every runtime
 * (src/scoring/runtime.ts) answers with these.
 */

/** One element returned by `run`: a text row, or a record whose values become the row. */
export type ScoredRow = string | Record<string, unknown>;

/** An item (file, or row range of a file) that failed while the rest of its mini-batch went on. */
export interface ItemFailure {
  item: string;
  /** How many items this counts for in the error threshold (rows for a row-split item, else 1). */
  count: number;
  code: string;
  message: string;
}

export interface RunResult {
  rows: ScoredRow[];
  /** Items (files; rows for row-split tabular) that succeeded. */
  succeededItems: number;
  failedItems: ItemFailure[];
}
