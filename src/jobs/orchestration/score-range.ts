import type { OrchestrationContext, Task } from "durable-functions";
import { activityFailureMessage } from "./activity-failure.js";
import type { ActivityStubs } from "./activity-proxy.js";
import type {
  ChunkResult,
  MiniBatchOutcome,
  Progress,
  RangeParts,
  RetryPolicy,
  StopReason,
} from "./contract.js";
import { addOutcome, thresholdVerdict, withRunning } from "./progress.js";

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
 * Scores mini-batches `[start, end)` in waves of at most `window` mini-batches: a wave is scheduled
 * at once and awaited as a whole (`Task.all`), then the next one starts. Stops scheduling once the
 * error threshold is exceeded, an activity reports that the job was canceled, or one reports that
 * this host cannot run the job (`aborted`); the mini-batches of the wave already running finish,
 * so their parts are kept.
 *
 * Why waves and not a sliding window: in durable-functions a task is scheduled only when yielded,
 * and a sliding window must yield each running task again inside a new `Task.any`, which the
 * Functions extension schedules a second time (azure-functions-durable-js#574). Scoring failures
 * and their retries are handled inside `scoreMiniBatch` (so it knows the attempt number and a wave
 * never fails fast); the durable retry policy covers failures of the activity itself.
 *
 * Once the range stopped, `recordParts` writes the part records its outcomes carry as one range
 * record (one storage write for the range instead of one per mini-batch). Outcomes of histories
 * written before range records carry none (their activities wrote one record each): then nothing
 * is scheduled, so such a history replays to the schedule it was written with.
 */
export function* scoreRange(
  context: OrchestrationContext,
  activities: ActivityStubs,
  options: ScoreRangeOptions,
): Generator<Task, ChunkResult, unknown> {
  let progress = options.progress;
  let stop: StopReason = "completed";
  let message: string | undefined;
  const parts: RangeParts["parts"] = [];

  for (let first = options.start; first < options.end && stop === "completed"; first += options.window) {
    const indexes = range(first, Math.min(options.end, first + options.window));
    const tasks = indexes.map((index) =>
      activities.scoreMiniBatch.schedule({ jobName: options.jobName, index }, options.retry),
    );
    progress = withRunning(progress, tasks.length);
    options.report(progress);
    const outcomes = yield* awaitWave(context, activities, options, indexes, tasks);
    for (const outcome of outcomes) {
      progress = addOutcome(progress, outcome);
      if (outcome.part) parts.push(outcome.part);
      if (stop === "completed" && outcome.abort !== undefined) {
        stop = "aborted";
        message = outcome.abort;
      } else if (stop === "completed" && outcome.canceled) stop = "canceled";
    }
    if (stop === "completed" && thresholdVerdict(progress, options.errorThreshold).exceeded)
      stop = "threshold";
    progress = withRunning(progress, 0);
    options.report(progress);
  }
  if (parts.length > 0) {
    const range = { jobName: options.jobName, start: options.start, end: options.end, parts };
    activities.recordParts.output(yield activities.recordParts.schedule(range, options.retry));
  }
  return message === undefined ? { progress, stop } : { progress, stop, message };
}

/**
 * The outcomes of one wave, in index order. When an activity failed for good, the others are
 * awaited one by one (a task yielded alone is not scheduled again) and the failed mini-batch is
 * recorded as failed.
 */
function* awaitWave(
  context: OrchestrationContext,
  activities: ActivityStubs,
  options: ScoreRangeOptions,
  indexes: number[],
  tasks: Task[],
): Generator<Task, MiniBatchOutcome[], unknown> {
  try {
    return activities.scoreMiniBatch.outputs(yield context.df.Task.all(tasks));
  } catch {
    const outcomes: MiniBatchOutcome[] = [];
    for (const [position, task] of tasks.entries()) {
      const index = indexes[position] ?? -1;
      try {
        outcomes.push(activities.scoreMiniBatch.output(yield task));
      } catch (thrown) {
        const record = {
          jobName: options.jobName,
          index,
          attempts: options.retry.maxAttempts,
          message: activityFailureMessage(thrown),
        };
        outcomes.push(yield* activities.recordMiniBatchFailure(record));
      }
    }
    return outcomes;
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
