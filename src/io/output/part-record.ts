import { z } from "zod";
import { VALUE_TYPES } from "./row-batch.js";

/**
 * One output piece a part staged (`output-pieces.ts`), as the finaliser needs it: where it goes,
 * its rows and bytes, its columns, and for Parquet its types and footer (base64).
 */
export const stagedPieceSchema = z.strictObject({
  file: z.string().optional(),
  rows: z.number().int().nonnegative(),
  /** Bytes of its block (0: nothing staged). */
  bytes: z.number().int().nonnegative(),
  columns: z.array(z.string()).optional(),
  types: z.array(z.enum(VALUE_TYPES)).optional(),
  footer: z.string().optional(),
});
export type StagedPiece = z.infer<typeof stagedPieceSchema>;

/**
 * What one attempt of a mini-batch staged, as its activity returns it once the attempt's blocks are
 * staged (so it only ever names blocks that exist). The orchestration learns each mini-batch's last
 * one exactly once and records those of a range in one range record (`range-record.ts`); the
 * finaliser commits exactly the blocks they name. Jobs started before range records wrote one
 * such record per mini-batch, `<jobs container>/<job>/parts/<index>.json`; the finaliser still reads them.
 */
export const partRecordSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
  status: z.enum(["succeeded", "failed"]),
  /** Rows staged into the output file (0 for summary_only). */
  rows: z.number().int().nonnegative(),
  succeededItems: z.number().int().nonnegative(),
  /** Failed items, counted as the error threshold counts them. */
  failedItems: z.number().int().nonnegative(),
  errorLines: z.number().int().nonnegative(),
  /** Files uploaded by a summary_only script. */
  outputFiles: z.number().int().nonnegative(),
  columns: z.array(z.string()).optional(),
  /** The pieces staged (Parquet, per_file only): the finaliser plans those files from them. */
  pieces: z.array(stagedPieceSchema).optional(),
  /**
   * A small output kept in the record instead of a staged block (in the orchestration's history
   * only): its rows' text, its error lines. `recordParts` stages it with its neighbours' and keeps
   * only where (`rowsBlock`, `errorsBlock`).
   */
  inline: z.strictObject({ rows: z.string().optional(), errors: z.string().optional() }).optional(),
  /** The mini-batch whose run block holds this part's rows (an inline part, once recorded). */
  rowsBlock: z.number().int().nonnegative().optional(),
  /** The same for its error lines. */
  errorsBlock: z.number().int().nonnegative().optional(),
});
export type PartRecord = z.infer<typeof partRecordSchema>;
