import { errors } from "../../errors.js";
import { isConditionFailure } from "../../storage/storage-error.js";
import { JOB_SUMMARY_FILE, type OutputTarget } from "./output-target.js";
import type { OutputDeps } from "./stage-mini-batch.js";

/**
 * Writes `<output path>/job_summary.json`, create-only unless `overwrite`; a summary this job wrote
 * before (a retried finalisation) is replaced, one from anyone else is an `OutputExists` error.
 */
export async function writeJobSummary(
  target: OutputTarget,
  summary: Record<string, unknown>,
  deps: Pick<OutputDeps, "access">,
): Promise<string> {
  const name = `${target.location.prefix}${JOB_SUMMARY_FILE}`;
  const blob = deps.access
    .container(target.location.store, target.location.container)
    .getBlockBlobClient(name);
  const body = `${JSON.stringify(summary, null, 2)}\n`;
  const write = (conditions: { ifNoneMatch: string } | { ifMatch: string } | undefined) =>
    blob.upload(body, Buffer.byteLength(body), {
      conditions,
      metadata: { batchfnjob: target.job },
      blobHTTPHeaders: { blobContentType: "application/json" },
    });
  const display = `${target.location.display}${JOB_SUMMARY_FILE}`;
  if (target.overwrite) {
    await write(undefined);
    return display;
  }
  try {
    await write({ ifNoneMatch: "*" });
  } catch (thrown) {
    if (!isConditionFailure(thrown)) throw thrown;
    const properties = await blob.getProperties();
    if (properties.metadata?.batchfnjob !== target.job || !properties.etag)
      throw errors.outputExists(display);
    await write({ ifMatch: properties.etag });
  }
  return display;
}
