import { BroadcastChannel, threadId, workerData } from "node:worker_threads";
import { move, transferableSymbol, valueSymbol } from "piscina";
import { BatchfnError, ensureError } from "../../errors.js";
import type { RunResult } from "../../io/output/scored-rows.js";
import { readJobIO } from "../job-io-env.js";
import { cloneableRecord, LogCapture } from "../log/log-capture.js";
import type { ScoringContext, ScoringRuntime } from "../runtime.js";
import { runtimeEnv } from "../runtime-env.js";
import { megabytes, threadMemoryBytes } from "../worker-memory.js";
import { formatInWorker } from "./format-in-worker.js";
import { loadRuntime, runtimeStartName } from "./load-runtime.js";
import { movedOutcome } from "./moved-outcome.js";
import {
  controlEventSchema,
  type ProgressMessage,
  type WorkerOutcome,
  type WorkerSetup,
  type WorkerTask,
  workerSetupSchema,
  workerTaskSchema,
} from "./worker-protocol.js";

/**
 * The scoring pool's worker thread (a piscina task handler). The runtime is built on the first
 * mini-batch the thread gets (`init` once per worker) and reused for every later one; a failed
 * start is tried again on the next mini-batch. Failures of the script come back as outcomes;
 * only a dying thread (exit, uncaught error, timeout kill) makes the task itself fail.
 */

interface WorkerState {
  setup: WorkerSetup;
  capture: LogCapture;
  context: ScoringContext;
  runtime: ScoringRuntime | undefined;
}

let state: WorkerState | undefined;

function workerState(): WorkerState {
  if (state) return state;
  const setup = workerSetupSchema.parse(workerData);
  process.setSourceMapsEnabled(true);
  const capture = new LogCapture(setup.loggingLevel);
  capture.captureConsole();
  const { modelDir, outputDir } = setup.runtime;
  const env = runtimeEnv(setup.runtime);
  const context = { modelDir, outputDir, logger: capture.logger, env, ...readJobIO(env) };
  const created: WorkerState = { setup, capture, context, runtime: undefined };
  listenForShutdown(created);
  state = created;
  return created;
}

function listenForShutdown(worker: WorkerState): void {
  const control = new BroadcastChannel(worker.setup.controlChannel);
  control.unref();
  control.onmessage = (event: unknown) => {
    const message = controlEventSchema.safeParse(event);
    if (!message.success || message.data.data.type !== "shutdown") return;
    const runtime = worker.runtime;
    worker.runtime = undefined;
    void (runtime?.shutdown() ?? Promise.resolve()).then(
      () => control.postMessage({ type: "shutdown-done", threadId }),
      (thrown: unknown) =>
        control.postMessage({ type: "shutdown-done", threadId, error: ensureError(thrown).message }),
    );
  };
}

/**
 * Scores one mini-batch: starts the runtime when this thread has none yet, then runs it. The
 * outcome's output text goes back as bytes moved to the pool's thread (`movedOutcome`).
 */
export default async function scoreMiniBatch(task: unknown): Promise<ReturnType<typeof move>> {
  const worker = workerState();
  const { input, port } = workerTaskSchema.parse(task);
  const post = (message: ProgressMessage) => port.postMessage(message);
  worker.capture.attach((record) => post({ type: "log", record: cloneableRecord(record) }), {
    miniBatch: input.index,
    attempt: input.attempt,
  });
  const memory = watchMemory(megabytes(worker.setup.memoryLimitMb), post);
  try {
    const outcome = await scoreWith(worker, input, post);
    // memory kept by the script (a cache, a leak) counts even when it was allocated in one go
    if (memory.check()) await new Promise(() => undefined);
    const moved = movedOutcome(outcome);
    return move({ [transferableSymbol]: moved.transfer, [valueSymbol]: moved.outcome });
  } finally {
    memory.stop();
    worker.capture.detach();
  }
}

/**
 * Checks the thread's memory every 100 ms while it scores; over the limit, tells the pool, which
 * stops the thread (its memory goes back with it). The JavaScript heap has a hard limit of its own
 * (the thread's `resourceLimits`); this catches Buffers and typed arrays, which live outside it.
 */
function watchMemory(limitBytes: number, post: (message: ProgressMessage) => void) {
  let told = false;
  const check = () => {
    const usedBytes = threadMemoryBytes();
    if (usedBytes <= limitBytes) return false;
    if (!told) post({ type: "memory", usedBytes });
    told = true;
    return true;
  };
  const timer = setInterval(check, 100);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

async function scoreWith(
  worker: WorkerState,
  input: WorkerTask["input"],
  post: (message: ProgressMessage) => void,
): Promise<WorkerOutcome> {
  if (!worker.runtime) {
    post({ type: "phase", phase: "init" });
    const started = Date.now();
    try {
      worker.runtime = await loadRuntime(worker.setup.runtime, worker.context);
    } catch (thrown) {
      const error = ensureError(thrown);
      const code =
        error instanceof BatchfnError && error.code === "InvalidScoringScript"
          ? error.code
          : "ScriptInitFailed";
      const message =
        code === "ScriptInitFailed"
          ? `${runtimeStartName(worker.setup.runtime)} failed: ${error.message}`
          : error.message;
      return failure(code, message, error, false);
    }
    worker.capture.log(
      "info",
      "engine",
      `Scoring runtime started in worker ${threadId} (${Date.now() - started} ms)`,
    );
  }
  post({ type: "phase", phase: "run" });
  try {
    // text pieces as bytes: they move to the pool's thread as they are (see movedOutcome)
    const asked = input.output ? { ...input, output: { ...input.output, bytes: true } } : input;
    const { pieces: written, ...result } = await worker.runtime.run(asked);
    const pieces = input.output && (written ?? (await formatInWorker(result, input)));
    if (pieces) return { ok: true, threadId, result: { ...result, rows: [] }, pieces };
    checkCloneable(result);
    return { ok: true, threadId, result };
  } catch (thrown) {
    const error = ensureError(thrown);
    const message = `Mini-batch ${input.index} (attempt ${input.attempt}) failed: ${error.message}`;
    return failure("ScriptError", message, error, true);
  }
}

function failure(
  code: "InvalidScoringScript" | "ScriptInitFailed" | "ScriptError",
  message: string,
  error: Error,
  initialized: boolean,
): WorkerOutcome {
  const outcome: WorkerOutcome = { ok: false, threadId, code, message, initialized };
  if (error.stack !== undefined) outcome.stack = error.stack;
  if (error instanceof BatchfnError) outcome.causeCode = error.code;
  return outcome;
}

function checkCloneable(result: RunResult): void {
  if (result.rows.every((row) => typeof row === "string")) return;
  try {
    structuredClone(result.rows);
  } catch (thrown) {
    throw new Error(`the rows returned cannot be passed back to the engine: ${ensureError(thrown).message}`);
  }
}
