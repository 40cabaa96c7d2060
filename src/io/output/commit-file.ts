import type { BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { isConditionFailure, storageFailure } from "../../storage/storage-error.js";
import { blockId } from "./output-layout.js";
import type { OutputTarget } from "./output-target.js";

/** One output file to commit: staged blocks in order, with the finaliser's own first and last block. */
export interface FileCommit {
  container: ContainerClient;
  target: OutputTarget;
  /** Relative to the output folder. */
  fileName: string;
  /** The shard number, for the ids of the finaliser's blocks (0 for a file of its own). */
  shard: number;
  /** Ids of the staged blocks of the mini-batches, in order. */
  ids: string[];
  /** Staged by the finaliser first: the CSV header or Parquet's magic. */
  head?: Uint8Array;
  /** Staged by the finaliser last: Parquet's footer. */
  tail?: Uint8Array;
}

/**
 * Commits a file's block list, create-only unless `overwrite`, so a concurrent writer can never be
 * overwritten. A file this job committed already (metadata `batchfnjob` and the same block list)
 * is kept: the finaliser may run again. A staged block gone missing fails with `CorruptRecord`
 * naming it, another writer's file with `OutputExists`.
 */
export async function commitFile(commit: FileCommit): Promise<void> {
  const { container, target, fileName } = commit;
  const blob = container.getBlockBlobClient(`${target.location.prefix}${fileName}`);
  const ids: string[] = [];
  if (commit.head) ids.push(await stageOwn(blob, target.job, "header", commit.shard, commit.head));
  ids.push(...commit.ids);
  if (commit.tail) ids.push(await stageOwn(blob, target.job, "footer", commit.shard, commit.tail));
  try {
    await blob.commitBlockList(ids, {
      conditions: target.overwrite ? undefined : { ifNoneMatch: "*" },
      metadata: { batchfnjob: target.job },
      blobHTTPHeaders: { blobContentType: contentType(fileName) },
    });
  } catch (thrown) {
    if (isConditionFailure(thrown)) {
      if (await committedByThisJob(blob, target.job, ids)) return;
      throw errors.outputExists(`${target.location.display}${fileName}`);
    }
    if (storageFailure(thrown).code === "InvalidBlockList")
      throw await missingBlocks(blob, ids, fileName, thrown);
    throw thrown;
  }
}

async function stageOwn(
  blob: BlockBlobClient,
  job: string,
  kind: "header" | "footer",
  shard: number,
  body: Uint8Array,
): Promise<string> {
  const id = blockId(job, kind, shard, 0);
  await blob.stageBlock(id, body, body.length);
  return id;
}

async function committedByThisJob(
  blob: BlockBlobClient,
  job: string,
  ids: readonly string[],
): Promise<boolean> {
  const properties = await blob.getProperties();
  if (properties.metadata?.batchfnjob !== job) return false;
  const committed = (await blob.getBlockList("committed")).committedBlocks ?? [];
  return committed.length === ids.length && committed.every((block, i) => block.name === ids[i]);
}

async function missingBlocks(
  blob: BlockBlobClient,
  ids: readonly string[],
  fileName: string,
  cause: unknown,
) {
  const list = await blob.getBlockList("all");
  const present = new Set(
    [...(list.uncommittedBlocks ?? []), ...(list.committedBlocks ?? [])].map((b) => b.name),
  );
  const missing = ids.find((id) => !present.has(id));
  const which = missing ? Buffer.from(missing, "base64").toString("ascii") : "unknown";
  return errors.corruptRecord(
    `Output file '${fileName}' cannot be committed: staged block ${which} is missing (uncommitted blocks expire 7 days after staging, and a commit by another job on the same file discards them).`,
    [{ message: String(cause) }],
  );
}

function contentType(fileName: string): string {
  if (fileName.endsWith(".csv")) return "text/csv; charset=utf-8";
  if (fileName.endsWith(".jsonl")) return "application/x-ndjson";
  if (fileName.endsWith(".parquet")) return "application/vnd.apache.parquet";
  return "text/plain; charset=utf-8";
}
