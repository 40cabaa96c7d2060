import { z } from "zod";
import { partRecordSchema } from "../../io/output/part-record.js";
import { jobStatus } from "../../spec/job.schema.js";

/**
 * What crosses the orchestration boundary: function names and the small inputs and outputs of the
 * orchestrations and activities. Large data never travels here: activities read the job's spec and
 * plan from Blob Storage by job name.
 */

export const ORCHESTRATION = { job: "scoringJob", chunk: "scoringJobChunk" } as const;

export const ACTIVITY = {
  plan: "planJob",
  score: "scoreMiniBatch",
  recordFailure: "recordMiniBatchFailure",
  finalize: "finalizeJob",
  recordParts: "recordParts",
} as const;

/** Mini-batches per sub-orchestration: keeps every history short and replay linear in job size. */
export const DEFAULT_CHUNK_SIZE = 100;

const count = z.number().int().nonnegative();

/**
 * Durable retries of an activity that failed as a whole (storage outage, crash). Scoring failures
 * and `retry_settings` are handled inside `scoreMiniBatch`, which knows the attempt number.
 */
export const retryPolicySchema = z.object({
  maxAttempts: z.number().int().min(1),
  firstIntervalMs: z.number().int().min(1),
  backoffCoefficient: z.number().min(1),
  maxIntervalMs: z.number().int().min(1),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const scoringJobInputSchema = z.object({
  jobName: z.string().min(1),
  /** Mini-batches in flight at most: `instance_count × max_concurrency_per_instance`. */
  window: z.number().int().min(1),
  retry: retryPolicySchema,
  /** Failed items tolerated for the whole job; -1 tolerates any number. */
  errorThreshold: z.number().int().min(-1),
  chunkSize: z.number().int().min(1).default(DEFAULT_CHUNK_SIZE),
});
export type ScoringJobInput = z.infer<typeof scoringJobInputSchema>;

export const planSummarySchema = z.object({
  miniBatches: count,
  items: count,
});
export type PlanSummary = z.infer<typeof planSummarySchema>;

export const miniBatchRefSchema = z.object({ jobName: z.string(), index: count });
export type MiniBatchRef = z.infer<typeof miniBatchRefSchema>;

/**
 * What `scoreMiniBatch` (or `recordMiniBatchFailure`, after the last attempt failed) returns.
 * `canceled`: the job was asked to stop before this mini-batch started, so it was not scored.
 */
export const miniBatchOutcomeSchema = z.object({
  index: count,
  succeededItems: count,
  failedItems: count,
  rows: count,
  canceled: z.boolean().default(false),
  /**
   * Set when this host cannot run the job (its stored settings are above the host's bounds): the
   * mini-batch was not scored, and the job is failed with this reason instead of scheduling more.
   */
  abort: z.string().optional(),
  /**
   * What the mini-batch's last attempt staged (its part record), for its range's `recordParts`;
   * absent when it did not run (canceled, aborted), and in histories written before range records
   * (their activities wrote one record per mini-batch themselves).
   */
  part: partRecordSchema.optional(),
});
export type MiniBatchOutcome = z.infer<typeof miniBatchOutcomeSchema>;

/** The parts of the mini-batches of `[start, end)` that ran, for `recordParts` to write as one record. */
export const rangePartsSchema = z.object({
  jobName: z.string(),
  start: count,
  end: count,
  parts: z.array(partRecordSchema),
});
export type RangeParts = z.infer<typeof rangePartsSchema>;

export const failureRecordSchema = miniBatchRefSchema.extend({
  attempts: z.number().int().min(1),
  message: z.string(),
});
export type FailureRecord = z.infer<typeof failureRecordSchema>;

export const progressSchema = z.object({
  miniBatches: z.object({ total: count, succeeded: count, failed: count, running: count }),
  items: z.object({ total: count, succeeded: count, failed: count }),
  rows: count,
});
export type Progress = z.infer<typeof progressSchema>;

export const stopReason = z.enum(["completed", "threshold", "canceled", "aborted"]);
export type StopReason = z.infer<typeof stopReason>;

export const chunkInputSchema = z.object({
  jobName: z.string(),
  start: count,
  end: count,
  window: z.number().int().min(1),
  retry: retryPolicySchema,
  errorThreshold: z.number().int().min(-1),
  /** Progress of the chunks before this one: the threshold counts the whole job. */
  progress: progressSchema,
});

/** Where a range stopped; `message` says why an `aborted` one did. */
export const chunkResultSchema = z.object({
  progress: progressSchema,
  stop: stopReason,
  message: z.string().optional(),
});
export type ChunkResult = z.infer<typeof chunkResultSchema>;

/** The job's custom status while it runs. */
export const jobCustomStatusSchema = z.object({
  status: jobStatus,
  progress: progressSchema.optional(),
  message: z.string().optional(),
});

export const finalizeInputSchema = z.object({
  jobName: z.string(),
  status: z.enum(["Completed", "Failed", "Canceled"]),
  progress: progressSchema.optional(),
  message: z.string().optional(),
});
export type FinalizeInput = z.infer<typeof finalizeInputSchema>;

/** The orchestration's output. */
export const jobResultSchema = finalizeInputSchema.extend({ outputs: z.array(z.string()).default([]) });
export type JobResult = z.infer<typeof jobResultSchema>;

/**
 * What `finalizeJob` answers: how the job ended, which may differ from what it was asked (a cancel
 * that came after the last mini-batch ends it `Canceled`), with the counts taken from the committed
 * output (the job record and `job_summary.json` hold the same), and its output files. Histories
 * written before hold the bare list of output files.
 */
export const finalizedJobSchema = z.union([
  z.array(z.string()).transform((outputs) => ({ outputs })),
  jobResultSchema.omit({ jobName: true }),
]);
export type FinalizedJob = z.output<typeof finalizedJobSchema>;
