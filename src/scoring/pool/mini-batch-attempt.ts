import { MessageChannel, type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { Piscina } from "piscina";
import { engineRecord } from "../log/log-levels.js";
import type { MiniBatchInput } from "../runtime.js";
import { canceledAttemptError, stoppedWorkerError, unreadableOutcomeError } from "./attempt-failures.js";
import type { LogCollector } from "./log-collector.js";
import {
  progressMessageSchema,
  type WorkerOutcome,
  type WorkerTask,
  workerOutcomeSchema,
} from "./worker-protocol.js";

export interface MiniBatchAttempt {
  piscina: Piscina<WorkerTask, unknown>;
  input: MiniBatchInput;
  timeoutSeconds: number;
  initTimeoutSeconds: number;
  /** The worker's memory limit, for the message when it goes over it. */
  memoryLimitMb: number;
  /** Receives the attempt's log records as they arrive, so they survive a killed worker. */
  logs: LogCollector;
  /** Aborted when the job is canceled: the task leaves piscina's queue, or its worker is terminated. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs one mini-batch attempt on the pool. The worker reports its phase on the attempt's port; the
 * clock starts when the runtime starts (`init` timeout) and again when `run` starts (the
 * deployment's timeout), so time spent waiting for a free worker does not count. On expiry, or when
 * the worker says it holds more than its memory limit, the task is aborted, which makes piscina
 * terminate and replace the worker; so does an abort of `signal` (the job
 * was canceled), and a task still queued is dropped without starting. Resolves with the worker's
 * outcome (success or a script failure); throws `MiniBatchTimeout`, `ScriptInitFailed`,
 * `WorkerCrashed` when the worker did not answer, `MiniBatchCanceled` when it was canceled.
 */
export async function attemptMiniBatch(attempt: MiniBatchAttempt): Promise<WorkerOutcome> {
  const { input, logs, signal } = attempt;
  if (signal?.aborted) throw canceledAttemptError(input, logs, false);
  const tags = { miniBatch: input.index, attempt: input.attempt };
  const { port1, port2 } = new MessageChannel();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let expired: "init" | "run" | undefined;
  let memory: { usedBytes: number } | undefined;
  let settled = false;
  /** The worker began the attempt (it reported a phase). */
  let started = false;
  let canceled = false;
  const receive = (message: unknown) => {
    const parsed = progressMessageSchema.safeParse(message);
    if (!parsed.success) {
      logs.add(
        engineRecord("warning", "The scoring worker sent an unreadable message; it was ignored", tags),
      );
    } else if (parsed.data.type === "log") {
      logs.add(parsed.data.record);
    } else if (parsed.data.type === "memory") {
      if (settled) return;
      memory = { usedBytes: parsed.data.usedBytes };
      controller.abort();
    } else {
      started = true;
      if (settled) return;
      const phase = parsed.data.phase;
      clearTimeout(timer);
      const seconds = phase === "init" ? attempt.initTimeoutSeconds : attempt.timeoutSeconds;
      timer = setTimeout(() => {
        expired = phase;
        controller.abort();
      }, seconds * 1000);
    }
  };
  port1.on("message", receive);
  const cancel = () => {
    if (settled) return;
    canceled = true;
    controller.abort();
  };
  signal?.addEventListener("abort", cancel, { once: true });
  let answer: unknown;
  let stopped: { thrown: unknown } | undefined;
  try {
    answer = await attempt.piscina.run(
      { input, port: port2 },
      { transferList: [port2], signal: controller.signal },
    );
  } catch (thrown) {
    stopped = { thrown };
  }
  settled = true;
  signal?.removeEventListener("abort", cancel);
  clearTimeout(timer);
  drain(port1, receive);
  port1.close();
  if (stopped && canceled) throw canceledAttemptError(input, logs, started);
  if (stopped) throw stoppedWorkerError({ ...attempt, thrown: stopped.thrown, expired, memory });
  const outcome = workerOutcomeSchema.safeParse(answer);
  if (!outcome.success) throw unreadableOutcomeError(input, logs);
  return outcome.data;
}

/** Delivers the messages still queued on the port: those a worker sent just before it answered or died. */
function drain(port: MessagePort, receive: (message: unknown) => void): void {
  for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    receive(next.message);
  }
}
