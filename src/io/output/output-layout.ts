import { createHash } from "node:crypto";
import { errors } from "../../errors.js";
import { formatExtension, type OutputFormatName } from "../../spec/resources.js";
import { ERRORS_FILE, JOB_SUMMARY_FILE, type OutputTarget } from "./output-target.js";

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

/**
 * The output file of an input item with `output_layout: per_file`: its path under the input with
 * the format's extension in place of its own (`in/a.csv` → `in/a.parquet`; aml rows go to `.csv`).
 */
export function perFileName(item: string, format: OutputFormatName): string {
  const slash = item.lastIndexOf("/");
  const dot = item.lastIndexOf(".");
  const stem = dot > slash + 1 ? item.slice(0, dot) : item;
  return `${stem}${formatExtension(format)}`;
}

/** The output file a piece of a mini-batch goes to, relative to the output folder. */
export function pieceFile(target: OutputTarget, index: number, piece: { file?: string }): string {
  if (target.layout === "per_file" && piece.file !== undefined) return perFileName(piece.file, target.format);
  return shardOf(target, index).fileName;
}

/** True when the finaliser needs each piece (Parquet parts, per-file outputs), not just the counts. */
export function detailed(target: OutputTarget): boolean {
  return target.action === "append_row" && (target.layout === "per_file" || target.format === "parquet");
}

/**
 * Refuses, before anything is scored, input items whose per_file outputs would be one file (`a.csv`
 * and `a.jsonl` both give `a.parquet`) or take the name of a file batchfn writes itself
 * (`errors.jsonl`, `job_summary.json`): `OutputNameClash`, naming them.
 */
export function checkPerFileNames(items: readonly string[], format: OutputFormatName): void {
  const owners = new Map<string, string>();
  const reserved = /^(errors(-\d{5})?\.jsonl|job_summary\.json)$/i;
  for (const item of items) {
    const name = perFileName(item, format);
    if (reserved.test(name)) {
      throw errors.outputNameClash(
        `Input file '${item}' would write its predictions to '${name}', the name of a file batchfn writes itself (${ERRORS_FILE}, ${JOB_SUMMARY_FILE}); rename the file or use output_layout: single_file.`,
      );
    }
    const owner = owners.get(name);
    if (owner !== undefined) {
      throw errors.outputNameClash(
        `Input files '${owner}' and '${item}' would both write their predictions to '${name}' (output_layout: per_file names each output after its input file, with the extension of output_format ${format}); rename one of them or use output_layout: single_file.`,
      );
    }
    owners.set(name, item);
  }
}

/** What a staged block holds: a mini-batch's rows, its error lines, a file's CSV header or Parquet footer. */
export type BlockKind = "rows" | "errors" | "header" | "footer";
const KIND_LETTER: Record<BlockKind, string> = { rows: "r", errors: "e", header: "h", footer: "f" };

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
