import { errors } from "../../errors.js";
import { checkErrorThreshold } from "../../jobs/plan/error-threshold.js";
import type { PlanCounts } from "../../jobs/plan/plan-schema.js";
import { isConditionFailure } from "../../storage/storage-error.js";
import type { OutputTotals } from "./finalize-output.js";
import { JOB_SUMMARY_FILE, type OutputTarget } from "./output-target.js";
import type { OutputDeps } from "./stage-mini-batch.js";

export interface JobSummaryInput {
  target: OutputTarget;
  counts: PlanCounts;
  totals: OutputTotals;
  status: "Completed" | "Failed" | "Canceled";
  /** The input as the user named it. */
  input: string;
  errorThreshold: number;
  /** The settings the job ran with (deployment settings merged with the invocation's overrides). */
  settings: Record<string, unknown>;
  startedAt: Date;
  finishedAt: Date;
  failure?: { code: string; message: string };
}

/** `job_summary.json`: what a person needs to know about a finished job, in Azure ML's snake_case. */
export function buildJobSummary(input: JobSummaryInput): Record<string, unknown> {
  const { target, counts, totals } = input;
  const threshold = checkErrorThreshold(
    input.errorThreshold,
    { failedItems: totals.items.failed, failedMiniBatches: totals.miniBatches.withFailedItems },
    counts.items,
  );
  return {
    job: target.job,
    status: input.status,
    ...(input.failure ? { failure: input.failure } : {}),
    input: input.input,
    output: {
      path: target.location.display,
      action: target.action,
      ...(target.action === "append_row" ? { format: target.format, files: totals.predictionFiles } : {}),
      errors: totals.errorFiles,
      summary: `${target.location.display}${JOB_SUMMARY_FILE}`,
    },
    items: {
      total: counts.items,
      succeeded: totals.items.succeeded,
      failed: totals.items.failed,
      files: counts.files,
      ...(counts.rows === undefined ? {} : { rows: counts.rows }),
    },
    mini_batches: {
      total: totals.miniBatches.total,
      succeeded: totals.miniBatches.succeeded,
      failed: totals.miniBatches.failed,
      not_run: totals.miniBatches.notRun,
      with_failed_items: totals.miniBatches.withFailedItems,
    },
    rows_written: totals.rows,
    error_lines: totals.errorLines,
    ...(target.action === "summary_only" ? { script_output_files: totals.outputFiles } : {}),
    error_threshold: {
      value: input.errorThreshold,
      exceeded: threshold.exceeded,
      message: threshold.message,
    },
    settings: input.settings,
    timings: {
      started_at: input.startedAt.toISOString(),
      finished_at: input.finishedAt.toISOString(),
      duration_seconds: (input.finishedAt.getTime() - input.startedAt.getTime()) / 1000,
    },
  };
}

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
