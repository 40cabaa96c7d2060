import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { errors } from "../../errors.js";
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
 * What the last recorded attempt of a mini-batch staged: `<jobs container>/<job>/parts/<index>.json`.
 * It is written after the attempt's blocks are staged, so it only ever names blocks that exist;
 * the finaliser commits exactly the blocks it names. The numbers are also blob metadata, so one
 * listing gives the finaliser every mini-batch's outcome without reading the bodies.
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
  /** The pieces staged (Parquet, per_file); the finaliser reads them from the record's body. */
  pieces: z.array(stagedPieceSchema).optional(),
});
export type PartRecord = z.infer<typeof partRecordSchema>;

const count = z.coerce.number().int().nonnegative();
const partMetadataSchema = z.object({
  index: count,
  attempt: count,
  status: z.enum(["succeeded", "failed"]),
  rows: count,
  succeeded: count,
  failed: count,
  errorlines: count,
  outputfiles: count,
  columns: z.string().default(""),
  pieces: count.default(0),
});
/** A part as the finaliser sees it from a listing: the record without columns and pieces, plus the columns' hash. */
export type PartSummary = Omit<PartRecord, "columns" | "pieces"> & { columnsKey: string; pieces: number };

export const partBlobs = {
  prefix: (job: string) => `${job}/parts/`,
  part: (job: string, index: number) => `${job}/parts/${String(index).padStart(10, "0")}.json`,
};

/** Records an attempt's outcome (last writer wins; attempts of one mini-batch run one after another). */
export async function writePartRecord(jobs: ContainerClient, job: string, record: PartRecord): Promise<void> {
  const body = JSON.stringify(record);
  await jobs.getBlockBlobClient(partBlobs.part(job, record.index)).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: "application/json" },
    metadata: {
      index: String(record.index),
      attempt: String(record.attempt),
      status: record.status,
      rows: String(record.rows),
      succeeded: String(record.succeededItems),
      failed: String(record.failedItems),
      errorlines: String(record.errorLines),
      outputfiles: String(record.outputFiles),
      ...(record.columns ? { columns: columnsKey(record.columns) } : {}),
      ...(record.pieces ? { pieces: String(record.pieces.length) } : {}),
    },
  });
}

/** Every recorded part of a job, by mini-batch index, from one listing. */
export async function listPartSummaries(
  jobs: ContainerClient,
  job: string,
): Promise<Map<number, PartSummary>> {
  const parts = new Map<number, PartSummary>();
  for await (const blob of jobs.listBlobsFlat({ prefix: partBlobs.prefix(job), includeMetadata: true })) {
    const parsed = partMetadataSchema.safeParse(blob.metadata ?? {});
    if (!parsed.success) throw errors.corruptRecord(`Part record '${blob.name}' has invalid metadata.`);
    const m = parsed.data;
    parts.set(m.index, {
      index: m.index,
      attempt: m.attempt,
      status: m.status,
      rows: m.rows,
      succeededItems: m.succeeded,
      failedItems: m.failed,
      errorLines: m.errorlines,
      outputFiles: m.outputfiles,
      columnsKey: m.columns,
      pieces: m.pieces,
    });
  }
  return parts;
}

/** Reads one part record in full (the finaliser needs the columns of one of them). */
export async function readPartRecord(jobs: ContainerClient, job: string, index: number): Promise<PartRecord> {
  const name = partBlobs.part(job, index);
  const text = (await jobs.getBlobClient(name).downloadToBuffer()).toString("utf8");
  const parsed = partRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw errors.corruptRecord(`Part record '${name}' is not valid.`);
  return parsed.data;
}

/** A short fingerprint of a column list ("" for none), comparable across mini-batches. */
export function columnsKey(columns: readonly string[] | undefined): string {
  if (!columns) return "";
  return createHash("sha256").update(JSON.stringify(columns)).digest("hex").slice(0, 16);
}
