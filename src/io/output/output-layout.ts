import { createHash } from "node:crypto";
import { ERRORS_FILE, type OutputTarget } from "./output-target.js";

/** One output file and the mini-batches [first, end) whose rows it holds. */
export interface OutputShard {
  shard: number;
  fileName: string;
  first: number;
  end: number;
}

/**
 * How a job's output is split into files so no blob exceeds the block limits: one file named
 * `output_file_name` while the plan fits in `maxMiniBatchesPerFile` mini-batches, else files
 * `<stem>-00000<ext>`, `<stem>-00001<ext>`... each holding consecutive mini-batches. Errors follow
 * the same layout (`errors.jsonl` or `errors-00000.jsonl`...).
 */
export function outputShards(target: OutputTarget, fileName: string = target.fileName): OutputShard[] {
  const count = Math.ceil(target.miniBatches / target.maxMiniBatchesPerFile);
  return Array.from({ length: count }, (_, shard) => shardAt(target, shard, fileName));
}

/** The shard holding a mini-batch's rows (or error lines, with `fileName` = errors.jsonl). */
export function shardOf(
  target: OutputTarget,
  index: number,
  fileName: string = target.fileName,
): OutputShard {
  return shardAt(target, Math.floor(index / target.maxMiniBatchesPerFile), fileName);
}

function shardAt(target: OutputTarget, shard: number, fileName: string): OutputShard {
  const per = target.maxMiniBatchesPerFile;
  const single = target.miniBatches <= per;
  return {
    shard,
    fileName: single ? fileName : shardName(fileName, shard),
    first: shard * per,
    end: Math.min(target.miniBatches, (shard + 1) * per),
  };
}

/** The error files of a target, in order. */
export function errorShards(target: OutputTarget): OutputShard[] {
  return outputShards(target, ERRORS_FILE);
}

function shardName(fileName: string, shard: number): string {
  const dot = fileName.lastIndexOf(".");
  const [stem, extension] = dot > 0 ? [fileName.slice(0, dot), fileName.slice(dot)] : [fileName, ""];
  return `${stem}-${String(shard).padStart(5, "0")}${extension}`;
}

/** What a staged block holds: a mini-batch's rows, its error lines, or a file's CSV header. */
export type BlockKind = "rows" | "errors" | "header";
const KIND_LETTER: Record<BlockKind, string> = { rows: "r", errors: "e", header: "h" };

/**
 * The block id of a staged block: derived from the job, the kind, the mini-batch index and the
 * attempt, all fixed-width so every id of a blob has the same length (an Azure requirement). A
 * repeated attempt re-stages the same id; a newer attempt stages a new one and the finaliser
 * commits only the attempt recorded last for that mini-batch.
 */
export function blockId(job: string, kind: BlockKind, index: number, attempt: number): string {
  const jobKey = createHash("sha256").update(job).digest("hex").slice(0, 12);
  const text = `${jobKey}${KIND_LETTER[kind]}${String(index).padStart(10, "0")}${String(attempt).padStart(5, "0")}`;
  return Buffer.from(text, "ascii").toString("base64");
}
