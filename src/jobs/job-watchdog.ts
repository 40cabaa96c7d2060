import { ensureError } from "../errors.js";
import type { JobRunner } from "./job-runner.js";
import { isTerminal, type JobRecord, type JobRecords } from "./records/job-records.js";
import { type SettleDeps, settleJob } from "./records/settle-job.js";

export interface WatchdogDeps extends SettleDeps {
  records: JobRecords;
  runner: JobRunner;
}

export interface WatchdogReport {
  /** Jobs settled this round: their orchestration had ended, or no longer exists. */
  settled: JobRecord[];
  /** Jobs that could not be checked (their status could not be read), with why. */
  unchecked: Array<{ job: string; problem: string }>;
}

/**
 * One round of the job watchdog (the `jobWatchdog` timer function, at start-up and every minute):
 * every job whose record has not ended is compared with its orchestration and settled when that
 * ended or vanished (see `settleJob`), so no job stays `Preparing`, `Running` or `CancelRequested`
 * after its orchestration is gone — also when nobody reads it.
 */
export async function watchJobs(deps: WatchdogDeps): Promise<WatchdogReport> {
  const report: WatchdogReport = { settled: [], unchecked: [] };
  for (const record of await deps.records.list()) {
    if (isTerminal(record.status)) continue;
    try {
      const settled = await settleJob(record, await deps.runner.status(record.name), deps);
      if (settled) report.settled.push(settled);
    } catch (thrown) {
      report.unchecked.push({ job: record.name, problem: ensureError(thrown).message });
    }
  }
  return report;
}
