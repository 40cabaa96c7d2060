import { format, inspect } from "node:util";
import type { LogLevel, LogRecord } from "../../spec/log-record.schema.js";
import type { Logger } from "../runtime.js";
import { isLevelEnabled, type LoggingLevel, type LogTags } from "./log-levels.js";

/** Where captured records go: the current mini-batch's channel back to the pool. */
export type LogSink = (record: LogRecord) => void;

type ConsoleMethod = "log" | "info" | "warn" | "error" | "debug" | "trace";

const CONSOLE_LEVELS: ReadonlyArray<[ConsoleMethod, LogLevel]> = [
  ["log", "info"],
  ["info", "info"],
  ["warn", "warning"],
  ["error", "error"],
  ["debug", "debug"],
  ["trace", "debug"],
];

/** Records kept while no mini-batch is running (a script logging from a timer), delivered with the next one. */
const MAX_PENDING = 100;

/**
 * Captures what a scoring script logs inside a worker thread, through its context `logger` and
 * through `console`, as `source: "script"` records filtered by the deployment's `logging_level` and
 * tagged with the running mini-batch. Records logged between mini-batches wait for the next one.
 */
export class LogCapture {
  readonly logger: Logger;
  private sink: LogSink | undefined;
  private tags: LogTags | undefined;
  private pending: LogRecord[] = [];

  constructor(private readonly loggingLevel: LoggingLevel) {
    this.logger = {
      debug: (message, fields) => this.log("debug", "script", message, fields),
      info: (message, fields) => this.log("info", "script", message, fields),
      warn: (message, fields) => this.log("warning", "script", message, fields),
      error: (message, fields) => this.log("error", "script", message, fields),
    };
  }

  /** Routes records to `sink`, tagged with `tags`, until `detach`; delivers what waited. */
  attach(sink: LogSink, tags: LogTags): void {
    this.sink = sink;
    this.tags = tags;
    const waiting = this.pending;
    this.pending = [];
    for (const record of waiting) sink(record);
  }

  detach(): void {
    this.sink = undefined;
    this.tags = undefined;
  }

  /** Records one line; `source: "engine"` is for the worker's own lines about the attempt. */
  log(level: LogLevel, source: LogRecord["source"], message: string, fields?: Record<string, unknown>): void {
    if (!isLevelEnabled(level, this.loggingLevel)) return;
    const record: LogRecord = { time: new Date().toISOString(), level, source, message, ...this.tags };
    if (fields !== undefined) record.fields = fields;
    if (this.sink) {
      this.sink(record);
      return;
    }
    this.pending.push(record);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
  }

  /** Replaces the thread's `console` methods so script output becomes records instead of stdout. */
  captureConsole(): void {
    for (const [method, level] of CONSOLE_LEVELS) {
      console[method] = (...args: unknown[]) => this.log(level, "script", format(...args));
    }
  }
}

/** Makes a record safe to post to another thread: fields that cannot be cloned are shown as text. */
export function cloneableRecord(record: LogRecord): LogRecord {
  if (record.fields === undefined) return record;
  try {
    structuredClone(record.fields);
    return record;
  } catch {
    return { ...record, fields: { value: inspect(record.fields, { depth: 4 }) } };
  }
}
