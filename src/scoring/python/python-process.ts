import { type ChildProcess, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { LogLevel, LogRecord } from "../../spec/log-record.schema.js";
import { isLevelEnabled, type LoggingLevel } from "../log/log-levels.js";
import {
  type DriverAnswer,
  type DriverRequest,
  type DriverSetup,
  driverAnswerSchema,
} from "./driver-protocol.js";
import { LineSplitter } from "./line-splitter.js";
import { pythonFile } from "./python-files.js";

/** How a process ended: its exit code or signal, or why it could not start. */
export interface ProcessEnd {
  type: "exit";
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the interpreter could not be started at all (ENOENT, EACCES...). */
  spawnError?: Error;
  /** Set when the process answered out of turn (it is then treated as broken and killed). */
  protocolError?: string;
}

export interface PythonProcessOptions {
  interpreter: string;
  setup: DriverSetup;
  /** The whole environment of the process. */
  env: Record<string, string>;
  loggingLevel: LoggingLevel;
  /** Receives every line the script logs or prints, as it arrives. */
  onLog: (record: LogRecord) => void;
}

/** Longest log line kept from the process's own stdout/stderr; longer ones are cut in pieces. */
const MAX_RAW_LINE = 64 * 1024;
/** How long the answers pipe may stay open after the process exited (a child of the script holds it). */
const DRAIN_GRACE_MS = 2000;

/**
 * One Python process running `driver.py` with a scoring script. Answers come back in order through
 * `next()`; log messages go to `onLog` instead. Text the process writes straight to its fd 1 and 2
 * (not through `sys.stdout`) is logged too, line by line, as `stdout` (info) and `stderr` (warning).
 */
export class PythonProcess {
  readonly pid: number | undefined;
  private readonly child: ChildProcess;
  private readonly queue: DriverAnswer[] = [];
  private waiter: ((answer: DriverAnswer | ProcessEnd) => void) | undefined;
  private end: ProcessEnd | undefined;
  private readonly requests: Writable;
  private markEnded: (end: ProcessEnd) => void = () => undefined;
  private readonly exited = new Promise<ProcessEnd>((resolve) => {
    this.markEnded = resolve;
  });

  constructor(private readonly options: PythonProcessOptions) {
    this.child = spawn(options.interpreter, ["-u", pythonFile("driver.py")], {
      cwd: options.setup.codeDir,
      env: { ...options.env, PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8" },
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    });
    this.pid = this.child.pid;
    const [, stdout, stderr, requests, answers] = this.child.stdio as [
      null,
      Readable,
      Readable,
      Writable,
      Readable,
    ];
    this.requests = requests;
    requests.on("error", () => undefined);
    let open = 3;
    let exited: ProcessEnd | undefined;
    const finish = () => {
      if (exited && !this.end) this.ended(exited);
    };
    const closed = () => {
      open -= 1;
      if (open === 0) finish();
    };
    this.readRaw(stdout, "stdout", "info", closed);
    this.readRaw(stderr, "stderr", "warning", closed);
    const answerLines = new LineSplitter((line) => this.answer(line));
    answers.on("data", (chunk: Buffer) => answerLines.push(chunk));
    answers.on("close", () => {
      answerLines.end();
      closed();
    });
    answers.on("error", () => undefined);
    this.child.on("error", (spawnError) => {
      exited ??= { type: "exit", code: null, signal: null, spawnError };
      if (this.child.pid === undefined) this.ended(exited);
    });
    this.child.on("exit", (code, signal) => {
      exited ??= { type: "exit", code, signal };
      if (open === 0) finish();
      else setTimeout(finish, DRAIN_GRACE_MS).unref();
    });
    this.send(options.setup);
  }

  /** Whether the process has ended. */
  get alive(): boolean {
    return this.end === undefined;
  }

  send(request: DriverRequest): void {
    if (this.end || !this.requests.writable) return;
    this.requests.write(`${JSON.stringify(request)}\n`);
  }

  /** The next answer (not a log message), or how the process ended when it gives none. */
  next(): Promise<DriverAnswer | ProcessEnd> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.end) return Promise.resolve(this.end);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Ends the process at once (SIGKILL). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  /** Resolves when the process has ended and its answers are read. */
  whenEnded(): Promise<ProcessEnd> {
    return this.exited;
  }

  private answer(line: string): void {
    if (line.trim() === "") return;
    let parsed: ReturnType<typeof driverAnswerSchema.safeParse>;
    try {
      parsed = driverAnswerSchema.safeParse(JSON.parse(line));
    } catch {
      parsed = driverAnswerSchema.safeParse(undefined);
    }
    if (!parsed.success) {
      const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
      this.deliver({
        type: "exit",
        code: null,
        signal: null,
        protocolError: `an unreadable answer: ${shown}`,
      });
      return;
    }
    const message = parsed.data;
    if (message.type === "log") {
      this.options.onLog(this.record(message.level, "script", message.message, message.stream));
      return;
    }
    this.deliver(message);
  }

  private ended(end: ProcessEnd): void {
    this.end = end;
    this.markEnded(end);
    this.deliver(end);
  }

  private deliver(answer: DriverAnswer | ProcessEnd): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(answer);
    } else if (answer.type !== "exit") {
      this.queue.push(answer);
    }
  }

  private readRaw(stream: Readable, name: string, level: LogLevel, closed: () => void): void {
    const lines = new LineSplitter((line) => {
      if (line !== "") this.log(level, "script", line, name);
    }, MAX_RAW_LINE);
    stream.on("data", (chunk: Buffer) => lines.push(chunk));
    stream.on("close", () => {
      lines.end();
      closed();
    });
    stream.on("error", () => undefined);
  }

  private log(level: LogLevel, source: LogRecord["source"], message: string, stream?: string): void {
    if (!isLevelEnabled(level, this.options.loggingLevel)) return;
    this.options.onLog(this.record(level, source, message, stream));
  }

  private record(level: LogLevel, source: LogRecord["source"], message: string, stream?: string): LogRecord {
    const record: LogRecord = { time: new Date().toISOString(), level, source, message };
    if (stream !== undefined) record.fields = { stream };
    return record;
  }
}
