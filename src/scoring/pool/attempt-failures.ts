import { BatchfnError, errors, type ScoringFailureOptions } from "../../errors.js";
import { engineRecord, type LogTags } from "../log/log-levels.js";
import type { MiniBatchInput } from "../runtime.js";
import { memoryExceededMessage } from "../worker-memory.js";
import type { LogCollector } from "./log-collector.js";
import type { WorkerOutcome } from "./worker-protocol.js";

/** How a failed mini-batch attempt becomes a `BatchfnError` carrying the attempt's logs. */

type FailureFactory = (message: string, options: ScoringFailureOptions) => BatchfnError;

function tagsOf(input: MiniBatchInput): LogTags {
  return { miniBatch: input.index, attempt: input.attempt };
}

function attemptName(input: MiniBatchInput): string {
  return `Mini-batch ${input.index} (attempt ${input.attempt})`;
}

function failed(
  input: MiniBatchInput,
  logs: LogCollector,
  factory: FailureFactory,
  message: string,
  cause?: unknown,
): BatchfnError {
  logs.add(engineRecord("error", message, tagsOf(input)));
  return factory(message, { logs: logs.records(), cause });
}

/** A failure the worker reported (the script threw, its start failed, or it breaks the contract). */
export function outcomeError(
  outcome: Extract<WorkerOutcome, { ok: false }>,
  input: MiniBatchInput,
  logs: LogCollector,
): BatchfnError {
  const cause = new Error(outcome.message);
  if (outcome.stack !== undefined) cause.stack = outcome.stack;
  const record = engineRecord("error", outcome.message, tagsOf(input));
  if (outcome.stack !== undefined) record.fields = { stack: outcome.stack };
  logs.add(record);
  const details =
    outcome.causeCode === undefined ? [] : [{ code: outcome.causeCode, message: outcome.message }];
  const failure = { logs: logs.records(), cause, details };
  // the output cannot hold what was scored (the job's output settings): retrying cannot help
  if (outcome.causeCode === "UnsupportedOutputType" || outcome.causeCode === "OutputColumnsMismatch") {
    return new BatchfnError({ code: outcome.causeCode, status: 400, message: outcome.message, ...failure });
  }
  if (outcome.code === "InvalidScoringScript") return errors.invalidScoringScript(outcome.message, failure);
  if (outcome.code === "ScriptInitFailed") return errors.scriptInitFailed(outcome.message, failure);
  return errors.scriptError(outcome.message, failure);
}

export interface StoppedWorker {
  thrown: unknown;
  expired: "init" | "run" | undefined;
  input: MiniBatchInput;
  timeoutSeconds: number;
  initTimeoutSeconds: number;
  memoryLimitMb: number;
  /** Set when the worker reported holding more than its memory limit. */
  memory: { usedBytes: number } | undefined;
  logs: LogCollector;
}

/** A worker that gave no answer: stopped at a timeout or over its memory limit, or ended by the script. */
export function stoppedWorkerError(stopped: StoppedWorker): BatchfnError {
  const { input, logs } = stopped;
  const name = attemptName(input);
  if (stopped.memory || isHeapLimit(stopped.thrown)) {
    const message = memoryExceededMessage(input, stopped.memoryLimitMb, stopped.memory?.usedBytes);
    return failed(input, logs, errors.workerOutOfMemory, message, stopped.thrown);
  }
  if (stopped.expired === "run") {
    const message = `${name} did not finish within the ${stopped.timeoutSeconds} s timeout (retry_settings.timeout); its worker was stopped`;
    return failed(input, logs, errors.miniBatchTimeout, message);
  }
  if (stopped.expired === "init") {
    const message = `${name}: the scoring runtime did not start within ${stopped.initTimeoutSeconds} s; its worker was stopped`;
    return failed(input, logs, errors.scriptInitFailed, message);
  }
  const reason = stopped.thrown instanceof Error ? stopped.thrown.message : String(stopped.thrown);
  const message = `${name}: the scoring worker stopped (${reason}); a new worker takes the next mini-batch`;
  return failed(input, logs, errors.workerCrashed, message, stopped.thrown);
}

/**
 * An attempt its job's cancel stopped (`started`: its worker was ended) or kept from starting; what
 * it would have written is dropped.
 */
export function canceledAttemptError(
  input: MiniBatchInput,
  logs: LogCollector,
  started: boolean,
): BatchfnError {
  const message = started
    ? `${attemptName(input)} was stopped because the job was canceled; its worker was ended and its rows dropped`
    : `${attemptName(input)} was not started because the job was canceled`;
  logs.add(engineRecord("warning", message, tagsOf(input)));
  const details = [{ code: started ? "AttemptStopped" : "AttemptNotStarted", message }];
  return errors.miniBatchCanceled(message, { logs: logs.records(), details });
}

/** A worker answer that does not have the protocol's shape. */
export function unreadableOutcomeError(input: MiniBatchInput, logs: LogCollector): BatchfnError {
  return failed(
    input,
    logs,
    errors.workerCrashed,
    `${attemptName(input)}: the scoring worker answered with an unreadable result`,
  );
}

/** The error of a thread that reached its heap limit (`resourceLimits`). */
function isHeapLimit(thrown: unknown): boolean {
  return thrown instanceof Error && "code" in thrown && thrown.code === "ERR_WORKER_OUT_OF_MEMORY";
}
