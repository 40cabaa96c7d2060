import { type BatchfnError, errors } from "../../errors.js";
import { engineRecord } from "../log/log-levels.js";
import type { LogCollector } from "../pool/log-collector.js";
import type { MiniBatchInput } from "../runtime.js";
import type { DriverError } from "./driver-protocol.js";
import type { ProcessEnd } from "./python-process.js";

/** How a failed attempt in a Python process becomes a `BatchfnError` carrying the attempt's logs. */

export interface AttemptPlace {
  input: MiniBatchInput;
  logs: LogCollector;
  scriptName: string;
  interpreter: string;
}

function name(input: MiniBatchInput): string {
  return `Mini-batch ${input.index} (attempt ${input.attempt})`;
}

function tagged(place: AttemptPlace, message: string, stack?: string) {
  const record = engineRecord("error", message, {
    miniBatch: place.input.index,
    attempt: place.input.attempt,
  });
  if (stack !== undefined) record.fields = { stack };
  place.logs.add(record);
  const cause = new Error(message);
  if (stack !== undefined) cause.stack = stack;
  return { logs: place.logs.records(), cause };
}

/** `init()` (or the import) raised: `ScriptInitFailed`, with the Python traceback. */
export function initFailed(place: AttemptPlace, error: DriverError): BatchfnError {
  const message = `init() of '${place.scriptName}' failed in ${place.interpreter}: ${error.message}`;
  return errors.scriptInitFailed(message, tagged(place, message, error.traceback));
}

/** `run()` raised, or returned something else than the contract asks: `ScriptError` (retryable). */
export function runFailed(place: AttemptPlace, error: DriverError): BatchfnError {
  const message = `${name(place.input)} failed: run() of '${place.scriptName}' raised ${error.message} (${place.interpreter})`;
  return errors.scriptError(message, tagged(place, message, error.traceback));
}

/** A breach of the return contract found on the Node side (fewer results than inputs). */
export function contractFailed(place: AttemptPlace, error: BatchfnError): BatchfnError {
  const message = `${name(place.input)} failed: ${error.message}`;
  return errors.scriptError(message, tagged(place, message));
}

/** The process ended without answering: `WorkerCrashed` (retryable), or `ScriptInitFailed` before `init()` returned. */
export function processEnded(place: AttemptPlace, end: ProcessEnd, during: "init" | "run"): BatchfnError {
  const how = describeEnd(end, place.interpreter);
  if (during === "init") {
    const message = `init() of '${place.scriptName}' did not complete: ${how}`;
    return errors.scriptInitFailed(message, tagged(place, message));
  }
  const message = `${name(place.input)}: ${how} during run() of '${place.scriptName}'; a new process takes the next mini-batch`;
  return errors.workerCrashed(message, tagged(place, message));
}

/** A phase that outlived its limit: the process was killed. */
export function timedOut(place: AttemptPlace, during: "init" | "run", seconds: number): BatchfnError {
  if (during === "init") {
    const message = `${name(place.input)}: init() of '${place.scriptName}' did not complete within ${seconds} s; its Python process (${place.interpreter}) was killed`;
    return errors.scriptInitFailed(message, tagged(place, message));
  }
  const message = `${name(place.input)} did not finish within the ${seconds} s timeout (retry_settings.timeout); its Python process (${place.interpreter}) was killed`;
  return errors.miniBatchTimeout(message, tagged(place, message));
}

/** "the Python process (/usr/bin/python3) was killed by SIGSEGV (a crash...)" and the like. */
export function describeEnd(end: ProcessEnd, interpreter: string): string {
  if (end.spawnError) {
    return `the Python interpreter '${interpreter}' (BATCHFN_PYTHON) could not be started: ${end.spawnError.message}`;
  }
  const process = `the Python process (${interpreter})`;
  if (end.protocolError) return `${process} broke the driver protocol with ${end.protocolError}`;
  if (end.signal === "SIGKILL")
    return `${process} was killed by SIGKILL (out of memory, or killed from outside)`;
  if (end.signal === "SIGSEGV") return `${process} crashed with a segmentation fault (SIGSEGV)`;
  if (end.signal) return `${process} was ended by ${end.signal}`;
  return `${process} exited with code ${end.code} (sys.exit or os._exit)`;
}
