import { BatchfnError, ensureError } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { uploadNamedOutputs } from "../../io/output/named-outputs.js";
import { type StagedMiniBatch, stageMiniBatchOutput } from "../../io/output/stage-mini-batch.js";
import { uploadSummaryOutputs } from "../../io/output/summary-outputs.js";
import { engineRecord } from "../../scoring/log/log-levels.js";
import { passThroughOf } from "../../scoring/pass-through/pass-through.js";
import type { ScoredMiniBatch } from "../../scoring/pool/scoring-pool.js";
import type { MiniBatchFile, MiniBatchInput } from "../../scoring/runtime.js";
import type { JobSpec } from "../job-spec.js";
import { failedMiniBatchResult } from "../mini-batch/failed-mini-batch.js";
import { readMiniBatch } from "../plan/read-plan.js";
import type { JobStore, PreparedJob } from "../store/job-store.js";
import type { ActivityLog } from "./activity-log.js";
import { type Redact, redactRecords, redactResult } from "./host-paths.js";
import type { LocalJobIOOfJob } from "./local-job-io.js";

export interface ScoreAttempts {
  spec: JobSpec;
  job: PreparedJob;
  index: number;
  files: MiniBatchFile[];
  outputDir: string;
  /** The job's named inputs and outputs on this instance: the outputs' files are sent after each attempt that succeeds. */
  named?: LocalJobIOOfJob;
  run: (input: MiniBatchInput) => Promise<ScoredMiniBatch>;
  /** Whether the job was asked to stop (read before an attempt starts, so no retry follows a cancel). */
  canceled: () => Promise<boolean>;
  redact: Redact;
}

export interface ScoreAttemptsPorts {
  /** Outputs up to this size travel in the outcome instead of a staged block (`BATCHFN_INLINE_OUTPUT_BYTES`; 0: none). */
  inlineOutputBytes: number;
  /** Where the plan is read. */
  store: JobStore;
  access: BlobAccess;
  log: ActivityLog;
}

/**
 * Scores a downloaded mini-batch with up to `retry_settings.max_retries` retries and stages the
 * last attempt's output: its rows, or (after the last failed attempt, or a failure that is not
 * retryable) every item failed with the attempt's error code and message. "canceled" when the job
 * was asked to stop: its running attempt was stopped (`MiniBatchCanceled`) or a retry was due;
 * nothing is staged then.
 */
export async function scoreWithRetries(
  options: ScoreAttempts,
  ports: ScoreAttemptsPorts,
): Promise<StagedMiniBatch | "canceled"> {
  const { spec, job, index } = options;
  const maxAttempts = spec.settings.retry_settings.max_retries + 1;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { target } = job;
      const output =
        target.action === "append_row"
          ? { format: target.format, perFile: target.layout === "per_file" }
          : undefined;
      const passThrough = passThroughOf(spec.settings);
      const scored = await options.run({
        index,
        attempt,
        files: options.files,
        ...(output ? { output } : {}),
        ...(passThrough ? { passThrough } : {}),
      });
      await ports.log(spec, redactRecords(scored.logs, options.redact));
      let outputFiles: number | undefined;
      if (spec.settings.output_action === "summary_only") {
        outputFiles = (await uploadSummaryOutputs({ target: job.target, localDir: options.outputDir }, ports))
          .files;
      }
      if (options.named && options.named.outputs.length > 0) {
        await uploadNamedOutputs({ folders: options.named.outputs, seen: options.named.sent }, ports);
      }
      return await stageMiniBatchOutput(
        {
          target: job.target,
          index,
          attempt,
          result: redactResult(scored.result, options.redact),
          outputFiles,
          ...(scored.pieces ? { pieces: scored.pieces } : {}),
          files: options.files.map((file) => file.name),
          inlineMaxBytes: ports.inlineOutputBytes,
        },
        ports,
      );
    } catch (thrown) {
      if (thrown instanceof BatchfnError && thrown.code === "MiniBatchCanceled") {
        // a stopped attempt's lines are kept; one that never started has nothing to say (the job's
        // end counts it), unless records from between mini-batches came with it
        const started = thrown.details[0]?.code !== "AttemptNotStarted";
        if (started || thrown.logs.length > 1)
          await ports.log(spec, redactRecords(thrown.logs, options.redact));
        return "canceled";
      }
      const error = thrown instanceof BatchfnError ? thrown : ensureError(thrown);
      const code = error instanceof BatchfnError ? error.code : "ScriptError";
      const retryable = !(error instanceof BatchfnError) || error.retryable;
      const last = attempt >= maxAttempts || !retryable;
      const logs = redactRecords(error instanceof BatchfnError ? error.logs : [], options.redact);
      const message = options.redact(error.message);
      const tags = { miniBatch: index, attempt };
      const stopped = !last && (await options.canceled());
      const verdict = last
        ? "failed for good"
        : stopped
          ? "is not retried: the job was canceled"
          : `will be retried (attempt ${attempt + 1} of ${maxAttempts})`;
      await ports.log(spec, [
        ...logs,
        engineRecord(
          last ? "error" : "warning",
          `${code}: ${message} — mini-batch ${index} ${verdict}`,
          tags,
        ),
      ]);
      if (stopped) return "canceled";
      if (!last) continue;
      const { miniBatch } = await readMiniBatch(ports.store, job.plan, index);
      const failed = failedMiniBatchResult(miniBatch, { code, message });
      return stageMiniBatchOutput(
        {
          target: job.target,
          index,
          attempt,
          result: failed,
          failed: true,
          inlineMaxBytes: ports.inlineOutputBytes,
        },
        ports,
      );
    }
  }
}
