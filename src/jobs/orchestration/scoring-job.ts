import type { OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";
import type { JobStatus } from "../../spec/job.schema.js";
import { activityFailureMessage } from "./activity-failure.js";
import { type ActivityStubs, proxyActivities } from "./activity-proxy.js";
import {
  type ChunkResult,
  chunkInputSchema,
  chunkResultSchema,
  type FinalizeInput,
  type JobResult,
  jobResultSchema,
  ORCHESTRATION,
  type PlanSummary,
  type Progress,
  type ScoringJobInput,
  scoringJobInputSchema,
} from "./contract.js";
import { initialProgress, thresholdVerdict } from "./progress.js";
import { scoreRange } from "./score-range.js";

/**
 * The `scoringJob` orchestration: plan → windowed fan-out of mini-batches (inline for small jobs,
 * in sequential sub-orchestrations of `chunkSize` mini-batches for large ones) → finalize.
 * Deterministic: it talks to the world only through activities.
 */
export const scoringJob: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = scoringJobInputSchema.parse(context.df.getInput());
  const activities = proxyActivities(context);
  const report = (status: JobStatus, progress?: Progress, message?: string) =>
    context.df.setCustomStatus({ status, progress, message });

  report("Preparing");
  let plan: PlanSummary;
  try {
    plan = yield* activities.planJob({ jobName: input.jobName });
  } catch (thrown) {
    const message = activityFailureMessage(thrown);
    return yield* finalize(activities, { jobName: input.jobName, status: "Failed", message }, report);
  }

  let result: ChunkResult = { progress: initialProgress(plan), stop: "completed" };
  report("Running", result.progress);
  const ranges = chunkRanges(plan.miniBatches, input.chunkSize);
  if (ranges.length === 1) {
    const [start, end] = ranges[0] ?? [0, 0];
    result = yield* scoreRange(context, activities, rangeOptions(input, start, end, result.progress, report));
  } else {
    for (const [chunk, [start, end]] of ranges.entries()) {
      const chunkInput = { ...rangeInput(input, start, end), progress: result.progress };
      const instanceId = `${context.df.instanceId}:chunk-${chunk}`;
      result = chunkResultSchema.parse(
        yield context.df.callSubOrchestrator(ORCHESTRATION.chunk, chunkInput, instanceId),
      );
      report("Running", result.progress);
      if (result.stop !== "completed") break;
    }
  }

  return yield* finalize(activities, finalInput(input, result), report);
};

/** How the job ends, from where its mini-batches stopped. */
function finalInput(input: ScoringJobInput, result: ChunkResult): FinalizeInput {
  const { jobName } = input;
  const { progress } = result;
  switch (result.stop) {
    case "threshold":
      return {
        jobName,
        status: "Failed",
        progress,
        message: `${thresholdVerdict(progress, input.errorThreshold).message}; no further mini-batch was started.`,
      };
    case "aborted":
      return {
        jobName,
        status: "Failed",
        progress,
        message: `${result.message ?? "This host cannot run the job"}; no further mini-batch was started.`,
      };
    case "canceled":
      return {
        jobName,
        status: "Canceled",
        progress,
        message: "Canceled on request; the parts scored before are kept.",
      };
    default:
      return { jobName, status: "Completed", progress };
  }
}

/** `scoringJobChunk`: one range of a large job, with the window and threshold of the whole job. */
export const scoringJobChunk: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = chunkInputSchema.parse(context.df.getInput());
  const report = (progress: Progress) => context.df.setCustomStatus({ status: "Running", progress });
  return yield* scoreRange(context, proxyActivities(context), { ...input, report });
};

function* finalize(
  activities: ActivityStubs,
  input: FinalizeInput,
  report: (status: JobStatus, progress?: Progress, message?: string) => void,
): Generator<Task, JobResult, unknown> {
  report("Finalizing", input.progress, input.message);
  const finalized = yield* activities.finalizeJob(input);
  const result = jobResultSchema.parse({ ...input, ...finalized });
  report(result.status, result.progress, result.message);
  return result;
}

function rangeInput(input: ScoringJobInput, start: number, end: number) {
  return {
    jobName: input.jobName,
    start,
    end,
    window: input.window,
    retry: input.retry,
    errorThreshold: input.errorThreshold,
  };
}

function rangeOptions(
  input: ScoringJobInput,
  start: number,
  end: number,
  progress: Progress,
  report: (status: JobStatus, progress?: Progress) => void,
) {
  return { ...rangeInput(input, start, end), progress, report: (p: Progress) => report("Running", p) };
}

/** `[start, end)` ranges of at most `size` mini-batches covering `[0, total)`; one empty range for 0. */
export function chunkRanges(total: number, size: number): Array<[number, number]> {
  if (total <= size) return [[0, total]];
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < total; start += size) ranges.push([start, Math.min(total, start + size)]);
  return ranges;
}
