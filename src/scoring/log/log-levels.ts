import type { z } from "zod";
import type { LogLevel, LogRecord } from "../../spec/log-record.schema.js";
import type { loggingLevel } from "../../spec/resources.js";

/** A deployment's `settings.logging_level`: the least severe level that is kept. */
export type LoggingLevel = z.infer<typeof loggingLevel>;

const severity: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/** True when a record of `level` is kept under the deployment's `logging_level`. */
export function isLevelEnabled(level: LogLevel, loggingLevel: LoggingLevel): boolean {
  return severity[level] >= severity[loggingLevel];
}

/** Which mini-batch attempt a record belongs to. */
export interface LogTags {
  miniBatch: number;
  attempt: number;
}

/** A record written by the engine (the pool or the worker) about a mini-batch attempt. */
export function engineRecord(level: LogLevel, message: string, tags?: LogTags): LogRecord {
  return { time: new Date().toISOString(), level, source: "engine", message, ...tags };
}
