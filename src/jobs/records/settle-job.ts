import type { RunStatus } from "../job-runner.js";
import { jobResultSchema } from "../orchestration/contract.js";
import { isTerminal, type JobRecord, type JobRecords } from "./job-records.js";

/**
 * A job whose orchestration is missing this long after the job was created has lost it: submitting
 * starts the orchestration right after writing the record, so only a crash or lost storage leaves
 * a record without one.
 */
export const ORPHAN_AFTER_MS = 60_000;

export interface SettleDeps {
  records: JobRecords;
  now?: () => Date;
  /** Default {@link ORPHAN_AFTER_MS}. */
  orphanAfterMs?: number;
}

const NOT_WRITTEN = "no output file was committed";

/**
 * Makes a job's record follow its orchestration's end: a job whose orchestration completed, failed
 * or was terminated (through the Durable management API), or no longer exists, gets the status the
 * orchestration ended with, or `Failed` (`Canceled` when a cancel was asked) with a message saying
 * what happened and what was lost. Returns the settled record, or undefined while the orchestration
 * runs (or the record has ended already).
 */
export async function settleJob(
  record: JobRecord,
  live: RunStatus | undefined,
  deps: SettleDeps,
): Promise<JobRecord | undefined> {
  if (isTerminal(record.status)) return undefined;
  const now = (deps.now ?? (() => new Date()))();
  const end = endOf(record, live, now, deps.orphanAfterMs ?? ORPHAN_AFTER_MS);
  if (!end) return undefined;
  const settled = await deps.records.update(record.name, (current) =>
    isTerminal(current.status)
      ? current
      : {
          ...current,
          ...end,
          progress: end.progress ?? current.progress,
          finished_at: now.toISOString(),
        },
  );
  return settled;
}

type End = Pick<JobRecord, "status" | "message"> & Partial<Pick<JobRecord, "progress" | "outputs">>;

function endOf(
  record: JobRecord,
  live: RunStatus | undefined,
  now: Date,
  orphanAfterMs: number,
): End | undefined {
  const canceled = record.status === "CancelRequested";
  const stopped = (why: string): End =>
    canceled
      ? {
          status: "Canceled",
          message: `Canceled on request; the job's orchestration ${why}; ${NOT_WRITTEN}.`,
        }
      : { status: "Failed", message: `The job's orchestration ${why}; ${NOT_WRITTEN}.` };
  if (!live) {
    const age = now.getTime() - new Date(record.created_at).getTime();
    if (age < orphanAfterMs) return undefined;
    return stopped("no longer exists (its storage lost it, or it was purged)");
  }
  switch (live.runtimeStatus) {
    case "Terminated":
      return stopped(`was terminated (${reasonOf(live.output)})`);
    case "Failed":
      return stopped(`failed (${reasonOf(live.output)})`);
    case "Completed": {
      const result = jobResultSchema.safeParse(live.output);
      if (!result.success) return stopped("completed without a job result");
      const { status, message, progress, outputs } = result.data;
      return { status, message, progress, outputs };
    }
    default:
      return undefined;
  }
}

function reasonOf(output: unknown): string {
  if (typeof output === "string" && output.trim() !== "") return output.trim();
  if (output && typeof output === "object" && "message" in output) return String(output.message);
  return "no reason given";
}
