import type { ContainerClient } from "@azure/storage-blob";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { finalizeOutput, type OutputTotals } from "../../io/output/finalize-output.js";
import { writeJobSummary } from "../../io/output/job-summary.js";
import { engineRecord } from "../../scoring/log/log-levels.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import type { Progress } from "../orchestration/contract.js";
import type { JobRecords } from "../records/job-records.js";
import type { CancelRequest, JobStore } from "../store/job-store.js";
import { buildJobSummary } from "../summarize-job.js";
import type { ActivityLog } from "./activity-log.js";
import type { Redact } from "./host-paths.js";
import type { JobCache } from "./job-cache.js";
import type { LocalJobIO } from "./local-job-io.js";
import { partsLost } from "./lost-parts.js";

export interface FinalizeJobPorts {
  cache: JobCache;
  /** Where the plan is read. */
  store: JobStore;
  /** The jobs container: the range records of parts are read there (io/output). */
  jobs: ContainerClient;
  access: BlobAccess;
  /** The job's row: its final status, progress and outputs. */
  records: JobRecords;
  log: ActivityLog;
  /** Rewrites this host's paths in the orchestration's message. */
  redactHost: Redact;
  now: () => Date;
  /** This instance's copies of the job's named inputs and output folders, removed once it ended. */
  localIO?: Pick<LocalJobIO, "forget">;
}

/**
 * `finalizeJob`: commits the staged parts into the output files, writes `job_summary.json`, and
 * records the job's end. A job seen `Completed` whose parts were lost from storage ends `Failed`
 * (`PartsLost`), and the activity throws so the orchestration fails with the same reason. A job
 * asked to cancel before it ended ends `Canceled`, even when its last mini-batches finished first.
 * The counts it records and answers are those of the committed output (`mini-batch-counts.ts`), the
 * same as `job_summary.json`'s.
 */
export function createFinalizeJob(ports: FinalizeJobPorts): JobActivities["finalizeJob"] {
  return async (input) => {
    const { jobName } = input;
    let { status, progress } = input;
    let message = input.message === undefined ? undefined : ports.redactHost(input.message);
    ports.cache.dropPrepared(jobName);
    const [spec, job, cancel] = await Promise.all([
      ports.cache.spec(jobName),
      ports.cache.prepared(jobName),
      ports.store.readCancelRequest(jobName),
    ]);
    if (cancel && status === "Completed") status = "Canceled";
    const record = (outputs: string[]) =>
      ports.records.update(jobName, (current) => ({
        ...current,
        status,
        message,
        progress,
        outputs,
        finished_at: ports.now().toISOString(),
      }));
    if (!job) {
      await ports.log(spec, [
        engineRecord("error", `Job ${status}: ${message ?? "it could not be planned"}`),
      ]);
      await record([]);
      ports.cache.forget(jobName);
      return { status, message, progress, outputs: [] };
    }
    const totals = await finalizeOutput(job.target, ports);
    progress = finalProgress(totals, job.plan.items);
    if (status === "Canceled") message = canceledMessage(cancel, totals);
    const lost =
      status === "Completed" && totals.missing.length > 0
        ? await partsLost(ports.store, job.plan, totals.missing)
        : undefined;
    if (lost) {
      status = "Failed";
      message = lost.message;
    }
    const summary = buildJobSummary({
      target: job.target,
      counts: job.plan,
      totals,
      status,
      input: job.input,
      errorThreshold: spec.settings.error_threshold,
      settings: { ...spec.settings, instance_count: spec.instance_count },
      startedAt: new Date(spec.created_at),
      finishedAt: ports.now(),
      failure:
        status === "Completed"
          ? undefined
          : {
              code: lost ? lost.code : status === "Failed" ? "JobFailed" : "JobCanceled",
              message: message ?? status,
            },
    });
    await writeJobSummary(job.target, summary, ports);
    const display = job.target.location.display;
    // per_file writes one file per input file: the record (and the orchestration's history) names
    // their folder, job_summary.json lists them all
    const predictions = job.target.layout === "per_file" ? [display] : totals.predictionFiles;
    const files = [...predictions, ...totals.errorFiles];
    const level = status === "Completed" ? "info" : "error";
    await ports.log(spec, [
      engineRecord(
        level,
        `Job ${status}${message ? `: ${message}` : ""}. ${totals.items.succeeded} items succeeded, ${totals.items.failed} failed; output in ${display}`,
      ),
    ]);
    await record(files);
    ports.cache.forget(jobName);
    await ports.localIO?.forget(jobName);
    // The orchestration must not end Completed either: its failure carries the same reason.
    if (lost) throw lost;
    return { status, message, progress, outputs: files };
  };
}

/** A finished job's counts, from its committed output. */
function finalProgress(totals: OutputTotals, items: number): Progress {
  const { total, succeeded, failed } = totals.miniBatches;
  return {
    miniBatches: { total, succeeded, failed, running: 0 },
    items: { total: items, succeeded: totals.items.succeeded, failed: totals.items.failed },
    rows: totals.rows,
  };
}

/** What a canceled job's record and log say: when and by whom, and what was kept. */
function canceledMessage(cancel: CancelRequest | undefined, totals: OutputTotals): string {
  const { total, succeeded, failed, notRun } = totals.miniBatches;
  const who = cancel ? `Canceled by ${cancel.requested_by} at ${cancel.requested_at}` : "Canceled on request";
  const rows = `${totals.rows} ${totals.rows === 1 ? "row" : "rows"}`;
  return `${who}: ${succeeded + failed} of ${total} mini-batches had finished and are kept (${rows}); ${notRun} ${notRun === 1 ? "was" : "were"} stopped or never started, and nothing of them is written.`;
}
