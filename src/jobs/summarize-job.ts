import type { OutputTotals } from "../io/output/finalize-output.js";
import { JOB_SUMMARY_FILE, type OutputTarget } from "../io/output/output-target.js";
import { checkErrorThreshold } from "./error-threshold.js";
import type { PlanCounts } from "./plan/plan-schema.js";

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
    { failedItems: totals.items.failed, failedMiniBatches: totals.miniBatches.failed },
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
