import { errors } from "../../errors.js";
import { errorShards, outputShards } from "./output-layout.js";
import { JOB_SUMMARY_FILE, type OutputTarget } from "./output-target.js";
import type { OutputDeps } from "./stage-mini-batch.js";

/** The files a job writes in its output folder, in the order a person reads them. */
export function outputFileNames(target: OutputTarget): string[] {
  const predictions =
    target.action === "append_row" && target.layout === "single_file"
      ? outputShards(target).map((shard) => shard.fileName)
      : [];
  return [...predictions, ...errorShards(target).map((shard) => shard.fileName), JOB_SUMMARY_FILE];
}

/**
 * Fails the job before any work with `OutputExists`, naming the file, when a file the job would
 * write already exists (for summary_only and per_file, whose files are known only as they are
 * written: when the output folder holds anything), unless
 * `overwrite` is set. Creates the output container when it is missing.
 */
export async function checkOutputFree(target: OutputTarget, deps: Pick<OutputDeps, "access">): Promise<void> {
  const container = deps.access.container(target.location.store, target.location.container);
  await container.createIfNotExists();
  if (target.overwrite) return;
  for (const name of outputFileNames(target)) {
    if (await container.getBlobClient(`${target.location.prefix}${name}`).exists()) {
      throw errors.outputExists(`${target.location.display}${name}`);
    }
  }
  if (target.action === "summary_only" || target.layout === "per_file") {
    for await (const blob of container.listBlobsFlat({ prefix: target.location.prefix })) {
      throw errors.outputExists(
        `${target.location.display}${blob.name.slice(target.location.prefix.length)}`,
      );
    }
  }
}
