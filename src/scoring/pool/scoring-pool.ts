import { randomUUID } from "node:crypto";
import { BroadcastChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { z } from "zod";
import type { OutputPiece } from "../../io/output/output-pieces.js";
import type { RunResult } from "../../io/output/scored-rows.js";
import type { LogRecord } from "../../spec/log-record.schema.js";
import { loggingLevel as loggingLevelSchema } from "../../spec/resources.js";
import { engineRecord, type LoggingLevel } from "../log/log-levels.js";
import type { MiniBatchInput, RuntimeSpec } from "../runtime.js";
import { workerEnv } from "../runtime-env.js";
import { workerFile } from "../worker-file.js";
import { outcomeError } from "./attempt-failures.js";
import { drainingPool } from "./draining-pool.js";
import { LogCollector } from "./log-collector.js";
import { attemptMiniBatch } from "./mini-batch-attempt.js";
import {
  controlEventSchema,
  runtimeSpecSchema,
  type WorkerSetup,
  type WorkerTask,
} from "./worker-protocol.js";

export interface ScoringPoolOptions {
  runtime: RuntimeSpec;
  /** Worker threads, each with its own runtime: the deployment's `max_concurrency_per_instance`. */
  workers: number;
  /** Seconds one `run()` may take before its worker is stopped: `retry_settings.timeout`. */
  timeoutSeconds: number;
  loggingLevel: LoggingLevel;
  /** Seconds the runtime's start (loading the script, `init`) may take; default the larger of 300 and `timeoutSeconds`. */
  initTimeoutSeconds?: number;
  /** Log records kept per mini-batch attempt (the last ones); default 1000. */
  maxLogRecords?: number;
  /** Seconds `close()` waits for the runtimes' `shutdown()`; default 30. */
  shutdownTimeoutSeconds?: number;
  /**
   * Memory (MB) one worker may use, its JavaScript heap and Buffers together: the job's
   * `worker_memory_mb`, else the app's `BATCHFN_WORKER_MEMORY_MB` (config.ts derives its default).
   */
  workerMemoryMb: number;
}

/** A scored mini-batch and what was logged while it ran. */
export interface ScoredMiniBatch {
  result: RunResult;
  logs: LogRecord[];
  /** The rows as output pieces, when `output` was asked for (`result.rows` is then empty). */
  pieces?: OutputPiece[];
}

/** How the caller controls one `run`. */
export interface MiniBatchRunOptions {
  /**
   * Aborting it (the job was canceled) stops the attempt: one not started yet never starts, a
   * running one has its worker ended (a thread terminated, a process killed) and its rows dropped;
   * `run` then rejects with `MiniBatchCanceled`.
   */
  signal?: AbortSignal;
}

/**
 * Worker threads that score mini-batches with one runtime. `run` throws a `BatchfnError` with the
 * attempt's `logs` when the mini-batch fails: `ScriptError` (run threw), `ScriptInitFailed`,
 * `InvalidScoringScript`, `MiniBatchTimeout` (its worker was stopped), `WorkerCrashed` (the
 * script ended its thread), `WorkerOutOfMemory` (its worker went over `workerMemoryMb`), `MiniBatchCanceled` (its `signal` was
 * aborted). A stopped or crashed worker is replaced; the pool keeps working.
 */
export interface ScoringPool {
  run(input: MiniBatchInput, options?: MiniBatchRunOptions): Promise<ScoredMiniBatch>;
  /** Waits for running mini-batches, calls the runtimes' `shutdown()`, then stops the threads. */
  close(): Promise<void>;
}

const optionsSchema = z.object({
  runtime: runtimeSpecSchema,
  workers: z.number().int().min(1),
  timeoutSeconds: z.number().positive(),
  loggingLevel: loggingLevelSchema,
  initTimeoutSeconds: z.number().positive().optional(),
  maxLogRecords: z.number().int().min(1).default(1000),
  shutdownTimeoutSeconds: z.number().positive().default(30),
  workerMemoryMb: z.number().int().positive(),
});

/** Starts `workers` threads for the runtime; each builds its runtime when it gets its first mini-batch. */
export function createScoringPool(options: ScoringPoolOptions): ScoringPool {
  const settings = optionsSchema.parse(options);
  const initTimeoutSeconds = settings.initTimeoutSeconds ?? Math.max(300, settings.timeoutSeconds);
  const memoryLimitMb = settings.workerMemoryMb;
  const setup: WorkerSetup = {
    runtime: settings.runtime,
    loggingLevel: settings.loggingLevel,
    controlChannel: `batchfn-scoring-${randomUUID()}`,
    memoryLimitMb,
  };
  const worker = workerFile(import.meta.url, "scoring-worker");
  const piscina = new Piscina<WorkerTask, unknown>({
    filename: worker.filename,
    execArgv: worker.execArgv,
    minThreads: settings.workers,
    maxThreads: settings.workers,
    atomics: "disabled",
    env: workerEnv(settings.runtime),
    // a hard limit of the JavaScript heap; Buffers are watched by the worker itself
    resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb },
    workerData: setup,
  });
  const initialized = new Set<number>();
  const between: LogRecord[] = [];
  piscina.on("error", (thrown: unknown) => {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    between.push(
      engineRecord("warning", `A scoring worker failed between mini-batches and was replaced: ${message}`),
    );
  });

  async function attempt(input: MiniBatchInput, options: MiniBatchRunOptions = {}): Promise<ScoredMiniBatch> {
    const logs = new LogCollector(settings.maxLogRecords, { miniBatch: input.index, attempt: input.attempt });
    for (const record of between.splice(0)) logs.add(record);
    const outcome = await attemptMiniBatch({
      piscina,
      input,
      signal: options.signal,
      timeoutSeconds: settings.timeoutSeconds,
      initTimeoutSeconds,
      memoryLimitMb,
      logs,
    });
    if (outcome.ok || outcome.initialized) initialized.add(outcome.threadId);
    else initialized.delete(outcome.threadId);
    if (outcome.ok) {
      const scored: ScoredMiniBatch = { result: outcome.result, logs: logs.records() };
      return outcome.pieces ? { ...scored, pieces: outcome.pieces } : scored;
    }
    throw outcomeError(outcome, input, logs);
  }

  async function shutdownRuntimes(): Promise<void> {
    const live = new Set(piscina.threads.map((thread) => thread.threadId));
    const waiting = new Set([...initialized].filter((id) => live.has(id)));
    if (waiting.size === 0) return;
    const channel = new BroadcastChannel(setup.controlChannel);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, settings.shutdownTimeoutSeconds * 1000);
      channel.onmessage = (event: unknown) => {
        const message = controlEventSchema.safeParse(event);
        if (!message.success || message.data.data.type !== "shutdown-done") return;
        waiting.delete(message.data.data.threadId);
        if (waiting.size > 0) return;
        clearTimeout(timer);
        resolve();
      };
      channel.postMessage({ type: "shutdown" });
    });
    channel.close();
  }

  return drainingPool(attempt, async () => {
    await shutdownRuntimes();
    await piscina.destroy();
  });
}
