import { randomUUID } from "node:crypto";
import {
  BroadcastChannel,
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
} from "node:worker_threads";
import { Piscina } from "piscina";
import { z } from "zod";
import { type BatchfnError, errors } from "../../errors.js";
import { engineRecord, type LoggingLevel, type LogTags, loggingLevelSchema } from "../log/log-levels.js";
import type { LogRecord, MiniBatchInput, RunResult, RuntimeSpec } from "../runtime.js";
import { workerEnv } from "../runtime-env.js";
import { workerFile } from "../worker-file.js";
import { LogCollector } from "./log-collector.js";
import {
  controlEventSchema,
  progressMessageSchema,
  runtimeSpecSchema,
  type WorkerOutcome,
  type WorkerSetup,
  type WorkerTask,
  workerOutcomeSchema,
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
}

/** A scored mini-batch and what was logged while it ran. */
export interface ScoredMiniBatch {
  result: RunResult;
  logs: LogRecord[];
}

/**
 * Worker threads that score mini-batches with one runtime. `run` throws a `BatchfnError` with the
 * attempt's `logs` when the mini-batch fails: `ScriptError` (run threw), `ScriptInitFailed`,
 * `InvalidScoringScript`, `MiniBatchTimeout` (its worker was stopped), `WorkerCrashed` (the
 * script ended its thread). A stopped or crashed worker is replaced; the pool keeps working.
 */
export interface ScoringPool {
  run(input: MiniBatchInput): Promise<ScoredMiniBatch>;
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
});

/** Starts `workers` threads for the runtime; each builds its runtime when it gets its first mini-batch. */
export function createScoringPool(options: ScoringPoolOptions): ScoringPool {
  const settings = optionsSchema.parse(options);
  const initTimeoutSeconds = settings.initTimeoutSeconds ?? Math.max(300, settings.timeoutSeconds);
  const setup: WorkerSetup = {
    runtime: settings.runtime,
    loggingLevel: settings.loggingLevel,
    controlChannel: `batchfn-scoring-${randomUUID()}`,
  };
  const worker = workerFile(import.meta.url, "scoring-worker");
  const piscina = new Piscina<WorkerTask, unknown>({
    filename: worker.filename,
    execArgv: worker.execArgv,
    minThreads: settings.workers,
    maxThreads: settings.workers,
    atomics: "disabled",
    env: workerEnv(settings.runtime),
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
  const running = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;

  async function attempt(input: MiniBatchInput): Promise<ScoredMiniBatch> {
    const tags: LogTags = { miniBatch: input.index, attempt: input.attempt };
    const logs = new LogCollector(settings.maxLogRecords, tags);
    for (const record of between.splice(0)) logs.add(record);
    const { port1, port2 } = new MessageChannel();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let expired: "init" | "run" | undefined;
    let settled = false;
    const receive = (message: unknown) => {
      const parsed = progressMessageSchema.safeParse(message);
      if (!parsed.success) {
        logs.add(
          engineRecord("warning", "The scoring worker sent an unreadable message; it was ignored", tags),
        );
      } else if (parsed.data.type === "log") {
        logs.add(parsed.data.record);
      } else if (!settled) {
        const phase = parsed.data.phase;
        clearTimeout(timer);
        const seconds = phase === "init" ? initTimeoutSeconds : settings.timeoutSeconds;
        timer = setTimeout(() => {
          expired = phase;
          controller.abort();
        }, seconds * 1000);
      }
    };
    port1.on("message", receive);
    let answer: unknown;
    let stopped: { thrown: unknown } | undefined;
    try {
      answer = await piscina.run(
        { input, port: port2 },
        { transferList: [port2], signal: controller.signal },
      );
    } catch (thrown) {
      stopped = { thrown };
    }
    settled = true;
    clearTimeout(timer);
    drain(port1, receive);
    port1.close();
    if (stopped) {
      const timeouts = { timeoutSeconds: settings.timeoutSeconds, initTimeoutSeconds };
      throw stoppedWorkerError({ thrown: stopped.thrown, expired, input, timeouts, logs });
    }
    const outcome = workerOutcomeSchema.safeParse(answer);
    if (!outcome.success) {
      throw failed(logs, tags, errors.workerCrashed, "The scoring worker answered with an unreadable result");
    }
    if (outcome.data.ok || outcome.data.initialized) initialized.add(outcome.data.threadId);
    else initialized.delete(outcome.data.threadId);
    if (outcome.data.ok) return { result: outcome.data.result, logs: logs.records() };
    throw outcomeError(outcome.data, logs, tags);
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

  return {
    run(input) {
      if (closing)
        return Promise.reject(errors.workerCrashed("The scoring pool is closed; no mini-batch can start"));
      const scored = attempt(input);
      const tracked = scored.catch(() => undefined).finally(() => running.delete(tracked));
      running.add(tracked);
      return scored;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...running]);
        await shutdownRuntimes();
        await piscina.destroy();
      })();
      return closing;
    },
  };
}

type FailureFactory = (message: string, options: { logs: LogRecord[]; cause?: unknown }) => BatchfnError;

function failed(
  logs: LogCollector,
  tags: LogTags,
  factory: FailureFactory,
  message: string,
  cause?: unknown,
): BatchfnError {
  logs.add(engineRecord("error", message, tags));
  return factory(message, { logs: logs.records(), cause });
}

function outcomeError(outcome: Extract<WorkerOutcome, { ok: false }>, logs: LogCollector, tags: LogTags) {
  const cause = Object.assign(new Error(outcome.message), { stack: outcome.stack, code: outcome.causeCode });
  const record = engineRecord("error", outcome.message, tags);
  if (outcome.stack !== undefined) record.fields = { stack: outcome.stack };
  logs.add(record);
  const details =
    outcome.causeCode === undefined ? [] : [{ code: outcome.causeCode, message: outcome.message }];
  const failure = { logs: logs.records(), cause, details };
  if (outcome.code === "InvalidScoringScript") return errors.invalidScoringScript(outcome.message, failure);
  if (outcome.code === "ScriptInitFailed") return errors.scriptInitFailed(outcome.message, failure);
  return errors.scriptError(outcome.message, failure);
}

interface StoppedWorker {
  thrown: unknown;
  expired: "init" | "run" | undefined;
  input: MiniBatchInput;
  timeouts: { timeoutSeconds: number; initTimeoutSeconds: number };
  logs: LogCollector;
}

function stoppedWorkerError({ thrown, expired, input, timeouts, logs }: StoppedWorker): BatchfnError {
  const tags = { miniBatch: input.index, attempt: input.attempt };
  const name = `Mini-batch ${input.index} (attempt ${input.attempt})`;
  if (expired === "run") {
    const message = `${name} did not finish within the ${timeouts.timeoutSeconds} s timeout (retry_settings.timeout); its worker was stopped`;
    return failed(logs, tags, errors.miniBatchTimeout, message);
  }
  if (expired === "init") {
    const message = `${name}: the scoring runtime did not start within ${timeouts.initTimeoutSeconds} s; its worker was stopped`;
    return failed(logs, tags, errors.scriptInitFailed, message);
  }
  const reason = thrown instanceof Error ? thrown.message : String(thrown);
  return failed(logs, tags, errors.workerCrashed, `${name}: the scoring worker stopped: ${reason}`, thrown);
}

function drain(port: MessagePort, receive: (message: unknown) => void): void {
  for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    receive(next.message);
  }
}
