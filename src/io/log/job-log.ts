import type { ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { type LogRecord, logRecordSchema } from "../../spec/log-record.schema.js";
import { checkJobName } from "../../spec/names.js";
import { isConditionFailure, isNotFound, storageFailure } from "../../storage/storage-error.js";
import { logLine } from "./log-record.js";

/** Azure's limit for one Append Block call. */
const MAX_APPEND_BYTES = 4 * 1024 * 1024;
/** Azure's limit for an append blob (50,000 blocks of 4 MiB). */
const MAX_SEGMENT_BYTES = 50_000 * MAX_APPEND_BYTES;

export interface JobLogOptions {
  /** The jobs container (config.containers.jobs); logs live under `logs/`. */
  jobs: ContainerClient;
  /** Bytes after which a log continues in the next segment; Azure's own limit by default. */
  maxSegmentBytes?: number;
  /** Bytes of one append; Azure allows 4 MiB. */
  maxAppendBytes?: number;
}

export interface JobLogPage {
  records: LogRecord[];
  /** Where the next read starts; equal to `fromOffset` when nothing new was there. */
  nextOffset: number;
}

/** A job's log: JSON lines in append blobs, read back by byte offset for streaming. */
export interface JobLog {
  appendJobLog(job: string, records: readonly LogRecord[]): Promise<void>;
  readJobLog(job: string, options?: { fromOffset?: number; maxBytes?: number }): Promise<JobLogPage>;
}

/**
 * One log per job in append blobs `logs/<job>.jsonl`, then `logs/<job>.1.jsonl`... Records are
 * batched into appends of at most 4 MiB, each made of whole lines, so concurrent writers never
 * interleave inside a line. An append blob takes at most 50,000 appends: when Azure refuses one
 * (`BlockCountExceedsLimit`) or the segment would exceed `maxSegmentBytes` (a condition every
 * writer checks), the log continues in the next segment. A segment never grows once the next one
 * exists, so offsets (bytes over all segments in order) stay valid for readers.
 */
export function createJobLog(options: JobLogOptions): JobLog {
  const { jobs } = options;
  const maxSegmentBytes = options.maxSegmentBytes ?? MAX_SEGMENT_BYTES;
  const maxAppendBytes = Math.min(options.maxAppendBytes ?? MAX_APPEND_BYTES, maxSegmentBytes);
  const current = new Map<string, number>();

  async function append(job: string, chunk: string): Promise<void> {
    let segment = current.get(job) ?? (await lastSegment(jobs, job));
    const body = Buffer.from(chunk, "utf8");
    for (;;) {
      const blob = jobs.getAppendBlobClient(segmentName(job, segment));
      try {
        await blob.appendBlock(body, body.length, { conditions: { maxSize: maxSegmentBytes } });
        current.set(job, segment);
        return;
      } catch (thrown) {
        if (isNotFound(thrown)) {
          await jobs.createIfNotExists();
          await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: "application/x-ndjson" } });
          continue;
        }
        const full = isConditionFailure(thrown) || storageFailure(thrown).code === "BlockCountExceedsLimit";
        if (!full) throw thrown;
        segment += 1;
      }
    }
  }

  return {
    async appendJobLog(job, records) {
      checkJobName(job);
      let chunk = "";
      for (const record of records) {
        const line = logLine(record, maxAppendBytes);
        if (Buffer.byteLength(chunk) + Buffer.byteLength(line) > maxAppendBytes) {
          await append(job, chunk);
          chunk = "";
        }
        chunk += line;
      }
      if (chunk !== "") await append(job, chunk);
    },

    async readJobLog(job, readOptions = {}) {
      checkJobName(job);
      const fromOffset = readOptions.fromOffset ?? 0;
      const maxBytes = Math.max(1, readOptions.maxBytes ?? MAX_APPEND_BYTES);
      let start = 0;
      for (const segment of await listSegments(jobs, job)) {
        if (fromOffset < start + segment.size) {
          const local = fromOffset - start;
          const read = async (bytes: number) =>
            (
              await jobs
                .getBlobClient(segment.name)
                .downloadToBuffer(local, Math.min(bytes, segment.size - local))
            ).toString("utf8");
          const page = parsePage(job, await read(maxBytes), fromOffset);
          return page.nextOffset > fromOffset ? page : parsePage(job, await read(maxAppendBytes), fromOffset);
        }
        start += segment.size;
      }
      return { records: [], nextOffset: fromOffset };
    },
  };
}

function parsePage(job: string, text: string, fromOffset: number): JobLogPage {
  const end = text.lastIndexOf("\n");
  if (end < 0) return { records: [], nextOffset: fromOffset };
  const complete = text.slice(0, end + 1);
  const records = complete
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const parsed = logRecordSchema.safeParse(parseJson(line));
      if (!parsed.success)
        throw errors.corruptRecord(`Log of job '${job}' holds an invalid line: ${line.slice(0, 200)}`);
      return parsed.data;
    });
  return { records, nextOffset: fromOffset + Buffer.byteLength(complete) };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function segmentName(job: string, segment: number): string {
  return segment === 0 ? `logs/${job}.jsonl` : `logs/${job}.${segment}.jsonl`;
}

async function listSegments(
  jobs: ContainerClient,
  job: string,
): Promise<Array<{ name: string; size: number }>> {
  const segments: Array<{ name: string; size: number; segment: number }> = [];
  const pattern = new RegExp(`^logs/${job}(?:\\.(\\d+))?\\.jsonl$`);
  try {
    for await (const blob of jobs.listBlobsFlat({ prefix: `logs/${job}.` })) {
      const match = pattern.exec(blob.name);
      if (match)
        segments.push({
          name: blob.name,
          size: blob.properties.contentLength ?? 0,
          segment: Number(match[1] ?? 0),
        });
    }
  } catch (thrown) {
    if (isNotFound(thrown)) return [];
    throw thrown;
  }
  return segments.sort((a, b) => a.segment - b.segment);
}

async function lastSegment(jobs: ContainerClient, job: string): Promise<number> {
  const segments = await listSegments(jobs, job);
  const last = segments.at(-1);
  return last ? Number(/\.(\d+)\.jsonl$/.exec(last.name)?.[1] ?? 0) : 0;
}
