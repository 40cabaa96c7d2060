/**
 * What scoring a mini-batch yields, in the terms the output writes (`stage-mini-batch.ts`,
 * `row-format.ts`): the rows `run()` returned, the items that failed alone, or the rows already
 * formatted as output text by the worker. Every runtime (src/scoring/runtime.ts) answers with these.
 */

/** One element returned by `run`: a text row, or a record whose values become the row. */
export type ScoredRow = string | Record<string, unknown>;

/** Rows a worker already formatted as output text (see `MiniBatchInput.outputFormat` of src/scoring/runtime.ts). */
export interface FormattedRows {
  text: string;
  /** How many rows the text holds. */
  rows: number;
  /** The columns of the records (csv), for the header. */
  columns?: string[];
}

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
