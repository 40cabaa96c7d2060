import type { OrchestrationContext, Task } from "durable-functions";
import * as df from "durable-functions";
import {
  ACTIVITY,
  type ChunkResult,
  type FailureRecord,
  type MiniBatchOutcome,
  miniBatchOutcomeSchema,
  type Progress,
  type RetryPolicy,
  type StopReason,
} from "./contract.js";
import { addOutcome, exceedsThreshold, withRunning } from "./progress.js";

export interface ScoreRangeOptions {
  jobName: string;
  start: number;
  end: number;
  window: number;
  retry: RetryPolicy;
  errorThreshold: number;
  progress: Progress;
  /** Publishes progress (custom status) at every transition. */
  report: (progress: Progress) => void;
}

/**
 * Scores mini-batches `[start, end)` with at most `window` in flight, in index order: it waits for
 * the oldest mini-batch in flight, then starts the next one. Stops scheduling once the error
 * threshold is exceeded or an activity reports that the job was canceled, and still waits for the
 * mini-batches already running, so their parts are kept.
 *
 * Each task is yielded alone, exactly once, and never inside `Task.any`/`Task.all`: the Functions
 * extension schedules again every sub-task of a newly built `Task.any`, even one already running
 * (azure-functions-durable-js#574), and `Task.all` gives up on the others at the first failure.
 */
export function* scoreRange(
  context: OrchestrationContext,
  options: ScoreRangeOptions,
): Generator<Task, ChunkResult, unknown> {
  const retryOptions = toRetryOptions(options.retry);
  const inFlight: Array<{ index: number; task: Task }> = [];
  let progress = options.progress;
  let next = options.start;
  let stop: StopReason = "completed";

  while (true) {
    while (stop === "completed" && next < options.end && inFlight.length < options.window) {
      const ref = { jobName: options.jobName, index: next };
      inFlight.push({
        index: next,
        task: context.df.callActivityWithRetry(ACTIVITY.score, retryOptions, ref),
      });
      next += 1;
    }
    const oldest = inFlight.shift();
    if (oldest === undefined) break;
    progress = withRunning(progress, inFlight.length + 1);
    options.report(progress);

    let outcome: MiniBatchOutcome;
    try {
      outcome = miniBatchOutcomeSchema.parse(yield oldest.task);
    } catch (thrown) {
      const record = {
        jobName: options.jobName,
        index: oldest.index,
        attempts: options.retry.maxAttempts,
        message: failureMessage(thrown),
      };
      outcome = yield* recordFailure(context, record);
    }
    progress = addOutcome(progress, outcome);
    if (stop === "completed" && outcome.canceled) stop = "canceled";
    if (stop === "completed" && exceedsThreshold(progress, options.errorThreshold)) stop = "threshold";
  }
  progress = withRunning(progress, 0);
  options.report(progress);
  return { progress, stop };
}

function* recordFailure(
  context: OrchestrationContext,
  record: FailureRecord,
): Generator<Task, MiniBatchOutcome, unknown> {
  const result: unknown = yield context.df.callActivity(ACTIVITY.recordFailure, record);
  return miniBatchOutcomeSchema.parse(result);
}

function toRetryOptions(policy: RetryPolicy): df.RetryOptions {
  const options = new df.RetryOptions(policy.firstIntervalMs, policy.maxAttempts);
  options.backoffCoefficient = policy.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = policy.maxIntervalMs;
  return options;
}

/** The activity's own message, without the extension's "Activity function 'x' failed:" wrapping. */
function failureMessage(thrown: unknown): string {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return message.replace(/^Activity function '[^']*' failed: /, "").trim();
}
