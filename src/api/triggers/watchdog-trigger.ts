import type { InvocationContext } from "@azure/functions";
import type { JobRunner } from "../../jobs/job-runner.js";
import { type WatchdogDeps, watchJobs } from "../../jobs/job-watchdog.js";

export interface WatchdogTriggerDeps extends Omit<WatchdogDeps, "runner"> {
  /** The Durable client comes from each invocation's binding. */
  runner: (context: InvocationContext) => JobRunner;
}

/** The timer trigger's handler. */
export type WatchdogTrigger = (timer: unknown, context: InvocationContext) => Promise<void>;

/** One round of the job watchdog (see `watchJobs`); what it settled or could not check is logged as warnings. */
export function createWatchdogTrigger(deps: WatchdogTriggerDeps): WatchdogTrigger {
  return async (_timer, context) => {
    const report = await watchJobs({ ...deps, runner: deps.runner(context) });
    for (const job of report.settled) context.warn(`Job '${job.name}' settled ${job.status}: ${job.message}`);
    for (const { job, problem } of report.unchecked) context.warn(`Job '${job}' not checked: ${problem}`);
  };
}
