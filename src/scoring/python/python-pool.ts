import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchfnError } from "../../errors.js";
import type { LogRecord } from "../../spec/log-record.schema.js";
import { placeInMemoryFiles } from "../in-memory-files.js";
import { engineRecord, type LogTags } from "../log/log-levels.js";
import { driverItems } from "../mlflow/driver-items.js";
import { type DriverRows, mlflowPieces } from "../mlflow/mlflow-output.js";
import { canceledAttemptError } from "../pool/attempt-failures.js";
import { drainingPool } from "../pool/draining-pool.js";
import { LogCollector } from "../pool/log-collector.js";
import type {
  MiniBatchRunOptions,
  ScoredMiniBatch,
  ScoringPool,
  ScoringPoolOptions,
} from "../pool/scoring-pool.js";
import type { MiniBatchInput, PythonRuntimeSpec } from "../runtime.js";
import { workerEnv } from "../runtime-env.js";
import type { DriverAnswer } from "./driver-protocol.js";
import {
  type AttemptPlace,
  contractFailed,
  initFailed,
  processEnded,
  runFailed,
  timedOut,
} from "./python-failures.js";
import { type ProcessEnd, PythonProcess } from "./python-process.js";
import { pythonRunResult } from "./python-results.js";

/** The thread pool's options, for a Python script; `workerMemoryMb` becomes each process's RLIMIT_DATA. */
export interface PythonPoolOptions extends Omit<ScoringPoolOptions, "runtime"> {
  runtime: PythonRuntimeSpec;
}

/** One of the pool's `workers` places, holding at most one live process. */
interface Slot {
  process: PythonProcess | undefined;
  initialized: boolean;
  busy: boolean;
  /** Where the process's log records go: the running attempt, else the records kept for the next one. */
  sink: (record: LogRecord) => void;
}

/** Records logged while no attempt ran (between mini-batches, after a kill), kept for the next attempt. */
const MAX_BETWEEN = 100;

/**
 * Long-lived Python processes (`driver.py`) that score mini-batches with an Azure ML scoring script,
 * with the thread pool's semantics: `init()` once per process, when it gets its first mini-batch
 * (a failed start is tried again, in a new process, on the next one); `run(mini_batch)` per
 * mini-batch under `retry_settings.timeout`, after which the process is killed and replaced; a
 * process that dies (sys.exit, a segfault, an out-of-memory kill) fails that attempt only; a
 * canceled attempt (its `signal` aborted) leaves the queue, or has its process killed.
 * Failures are `BatchfnError`s carrying the attempt's logs: `ScriptInitFailed`, `ScriptError`,
 * `MiniBatchTimeout`, `WorkerCrashed`, `MiniBatchCanceled`.
 */
export function createPythonPool(options: PythonPoolOptions): ScoringPool {
  const spec = options.runtime;
  const initTimeoutSeconds = options.initTimeoutSeconds ?? Math.max(300, options.timeoutSeconds);
  const maxLogRecords = options.maxLogRecords ?? 1000;
  const shutdownMs = (options.shutdownTimeoutSeconds ?? 30) * 1000;
  const env = workerEnv(spec);
  const between: LogRecord[] = [];
  const keep = (record: LogRecord) => {
    between.push(record);
    if (between.length > MAX_BETWEEN) between.shift();
  };
  const slots: Slot[] = Array.from({ length: options.workers }, () => ({
    process: undefined,
    initialized: false,
    busy: false,
    sink: keep,
  }));
  const waiting: Array<(slot: Slot) => void> = [];

  /** A free slot; undefined when `signal` is aborted while waiting for one. */
  function acquire(signal: AbortSignal | undefined): Promise<Slot | undefined> {
    const free = slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => {
      const canceled = () => {
        const at = waiting.indexOf(take);
        if (at >= 0) waiting.splice(at, 1);
        resolve(undefined);
      };
      const take = (slot: Slot) => {
        signal?.removeEventListener("abort", canceled);
        resolve(slot);
      };
      waiting.push(take);
      signal?.addEventListener("abort", canceled, { once: true });
    });
  }

  function release(slot: Slot): void {
    const next = waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  function start(slot: Slot): PythonProcess {
    const process = new PythonProcess({
      interpreter: spec.interpreter,
      env,
      loggingLevel: options.loggingLevel,
      setup: {
        type: "setup",
        script: spec.scriptPath,
        scriptName: spec.scriptName,
        codeDir: spec.codeDir,
        loggingLevel: options.loggingLevel,
        memoryMb: options.workerMemoryMb,
      },
      onLog: (record) => (slot.process === process ? slot.sink(record) : keep(record)),
    });
    slot.process = process;
    slot.initialized = false;
    return process;
  }

  function discard(slot: Slot): void {
    slot.process?.kill();
    slot.process = undefined;
    slot.initialized = false;
  }

  /**
   * One attempt; a `run_files` module's rows (a no-code MLflow model) are then joined with their
   * pass-through columns and written as output pieces here, once the process is free again.
   */
  async function run(input: MiniBatchInput, control: MiniBatchRunOptions = {}): Promise<ScoredMiniBatch> {
    const { items, ...scored } = await attempt(input, control);
    if (!items || !input.output) return scored;
    return { ...scored, ...(await mlflowPieces(items, input)) };
  }

  async function attempt(
    input: MiniBatchInput,
    control: MiniBatchRunOptions = {},
  ): Promise<ScoredMiniBatch & { items?: DriverRows }> {
    const { signal } = control;
    const tags: LogTags = { miniBatch: input.index, attempt: input.attempt };
    const logs = new LogCollector(maxLogRecords, tags);
    if (signal?.aborted) throw canceledAttemptError(input, logs, false);
    const slot = await acquire(signal);
    if (!slot) throw canceledAttemptError(input, logs, false);
    for (const record of between.splice(0)) logs.add(record);
    slot.sink = (record) => logs.add({ ...record, ...tags });
    const place: AttemptPlace = { input, logs, scriptName: spec.scriptName, interpreter: spec.interpreter };
    try {
      let process = slot.process;
      if (!process?.alive || !slot.initialized) {
        discard(slot);
        process = start(slot);
        const started = Date.now();
        const ready = await answerWithin(process, initTimeoutSeconds, signal);
        if (ready === "canceled") throw canceledAttemptError(input, logs, true);
        if (ready === "timeout") throw timedOut(place, "init", initTimeoutSeconds);
        if (ready.type === "exit") throw processEnded(place, ready, "init");
        if (ready.type === "error") throw initFailed(place, ready);
        if (ready.type !== "ready") throw processEnded(place, unexpected(ready), "init");
        slot.initialized = true;
        logs.add(
          engineRecord(
            "info",
            `Python process ${process.pid} (${spec.interpreter}) ran init() of '${spec.scriptName}' in ${Date.now() - started} ms`,
            tags,
          ),
        );
      }
      // items reach the Python pool as files (inMemoryMaxBytes 0); any handed over in memory are
      // written here and removed with the mini-batch's folder
      placeInMemoryFiles(input.files);
      if (signal?.aborted) throw canceledAttemptError(input, logs, true);
      const files = input.files.map((file) => file.path);
      const handover = spec.entry === "run_files" ? await handOver(input) : undefined;
      const answer = await (async () => {
        try {
          process.send({ type: "run", files, ...(handover ? { items: handover.items } : {}) });
          return await answerWithin(process, options.timeoutSeconds, signal);
        } finally {
          await handover?.remove();
        }
      })();
      if (answer === "canceled") throw canceledAttemptError(input, logs, true);
      if (answer === "timeout") throw timedOut(place, "run", options.timeoutSeconds);
      if (answer.type === "exit") throw processEnded(place, answer, "run");
      if (answer.type === "error") throw runFailed(place, answer);
      if (answer.type === "items-result" && handover) {
        const { rows, succeededItems, failedItems, fileRows, columnTypes } = answer;
        const items = {
          rows,
          succeededItems,
          failedItems: [...handover.failedItems, ...failedItems],
          ...(fileRows ? { fileRows } : {}),
          ...(columnTypes ? { columnTypes } : {}),
        };
        return { result: items, logs: logs.records(), items };
      }
      if (answer.type !== "result") throw processEnded(place, unexpected(answer), "run");
      try {
        return { result: pythonRunResult(answer, input, spec.scriptName), logs: logs.records() };
      } catch (thrown) {
        if (thrown instanceof BatchfnError) throw contractFailed(place, thrown);
        throw thrown;
      }
    } catch (thrown) {
      // a process that failed to start, timed out, broke the protocol or was canceled is killed
      if (thrown instanceof BatchfnError && thrown.code !== "ScriptError") discard(slot);
      throw thrown;
    } finally {
      const done = { ...tags };
      slot.sink = (record) => keep({ ...record, ...done });
      release(slot);
    }
  }

  async function shutdownProcesses(): Promise<void> {
    await Promise.all(
      slots.map(async (slot) => {
        const process = slot.process;
        if (!process) return;
        if (slot.initialized && process.alive) {
          process.send({ type: "shutdown" });
          const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), shutdownMs));
          await Promise.race([process.whenEnded(), timer]);
        }
        discard(slot);
      }),
    );
  }

  return drainingPool(run, shutdownProcesses);
}

/**
 * The inputs of a `run_files` module: each file with its name and row range, Parquet files handed
 * over as typed JSON columns in a folder of their own (removed by `remove`); a file that cannot be
 * handed over fails alone.
 */
async function handOver(input: MiniBatchInput) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-handover-"));
  const { items, failedItems } = await driverItems(input.files, dir);
  return { items, failedItems, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The process's next answer, "timeout" after `seconds`, or "canceled" once `signal` is aborted
 * (the caller then kills the process).
 */
async function answerWithin(
  process: PythonProcess,
  seconds: number,
  signal: AbortSignal | undefined,
): Promise<DriverAnswer | ProcessEnd | "timeout" | "canceled"> {
  let timer: NodeJS.Timeout | undefined;
  let canceled: (() => void) | undefined;
  const expired = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), seconds * 1000);
  });
  const aborted = new Promise<"canceled">((resolve) => {
    canceled = () => resolve("canceled");
    if (signal?.aborted) canceled();
    else signal?.addEventListener("abort", canceled, { once: true });
  });
  try {
    return await Promise.race([process.next(), expired, aborted]);
  } finally {
    clearTimeout(timer);
    if (canceled) signal?.removeEventListener("abort", canceled);
  }
}

/** An answer that does not belong where it came: treated as a broken process. */
function unexpected(answer: DriverAnswer): ProcessEnd {
  return { type: "exit", code: null, signal: null, protocolError: `an unexpected '${answer.type}' answer` };
}
