import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { errors } from "../../errors.js";
import { mapLimited } from "../map-limited.js";
import { type PartRecord, partRecordSchema } from "./part-record.js";

/**
 * The parts of one range of mini-batches `[start, end)` (an inline job's whole range, or one
 * sub-orchestration's chunk): the last attempt of each mini-batch of the range that ran, as the
 * orchestration learnt it. One blob per range, `<jobs container>/<job>/parts/range-<start>-<end>.json`,
 * written once the range's mini-batches ended; writing it again writes the same content.
 */
export const rangeRecordSchema = z.strictObject({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  parts: z.array(partRecordSchema),
});
export type RangeRecord = z.infer<typeof rangeRecordSchema>;

const pad = (n: number) => String(n).padStart(10, "0");

export const partBlobs = {
  prefix: (job: string) => `${job}/parts/`,
  range: (job: string, start: number, end: number) => `${job}/parts/range-${pad(start)}-${pad(end)}.json`,
};

/** Writes a range's record; its parts must lie in the range, one per mini-batch (kept in index order). */
export async function writeRangeRecord(
  jobs: ContainerClient,
  job: string,
  record: RangeRecord,
): Promise<void> {
  const parts = [...record.parts].sort((a, b) => a.index - b.index);
  for (const [position, part] of parts.entries()) {
    if (part.index < record.start || part.index >= record.end || parts[position - 1]?.index === part.index) {
      throw errors.invalidReference(
        `Mini-batch ${part.index} is not one part of the range [${record.start}, ${record.end}) of job '${job}'.`,
      );
    }
  }
  const body = JSON.stringify({ start: record.start, end: record.end, parts });
  await jobs
    .getBlockBlobClient(partBlobs.range(job, record.start, record.end))
    .upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: "application/json" },
    });
}

/**
 * Every recorded part of a job, by mini-batch index: one listing of its part records, then their
 * bodies (16 at a time). Reads the range records, and the per-mini-batch records a job started
 * before range records wrote (a range record wins where both name a mini-batch).
 */
export async function readRecordedParts(
  jobs: ContainerClient,
  job: string,
): Promise<Map<number, PartRecord>> {
  const names: string[] = [];
  for await (const blob of jobs.listBlobsFlat({ prefix: partBlobs.prefix(job) })) names.push(blob.name);
  const ranges = names.filter((name) => isRange(job, name));
  const legacy = names.filter((name) => !isRange(job, name));
  const parts = new Map<number, PartRecord>();
  for (const record of await mapLimited(legacy, READS_AT_ONCE, (name) =>
    read(jobs, name, partRecordSchema),
  )) {
    parts.set(record.index, record);
  }
  for (const record of await mapLimited(ranges, READS_AT_ONCE, (name) =>
    read(jobs, name, rangeRecordSchema),
  )) {
    for (const part of record.parts) parts.set(part.index, part);
  }
  return parts;
}

const READS_AT_ONCE = 16;

function isRange(job: string, name: string): boolean {
  return name.startsWith(`${partBlobs.prefix(job)}range-`);
}

async function read<T>(jobs: ContainerClient, name: string, schema: z.ZodType<T>): Promise<T> {
  const text = (await jobs.getBlobClient(name).downloadToBuffer()).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw errors.corruptRecord(`Part record '${name}' is not JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw errors.corruptRecord(`Part record '${name}' is not valid.`);
  return parsed.data;
}
