import type { JobLog } from "../../io/log/job-log.js";
import { isLevelEnabled } from "../../scoring/log/log-levels.js";
import type { LogRecord } from "../../spec/log-record.schema.js";
import type { JobSpec } from "../job-spec.js";
import { type Redact, redactRecords } from "./host-paths.js";

/** Appends records to a job's log: the script's always, the engine's at the job's `logging_level`. */
export type ActivityLog = (spec: JobSpec, records: LogRecord[]) => Promise<void>;

/** The activities' log, with this host's paths rewritten into names invokers know. */
export function createActivityLog(jobLog: JobLog, redactHost: Redact): ActivityLog {
  return async (spec, records) => {
    const kept = records.filter(
      (r) => r.source === "script" || isLevelEnabled(r.level, spec.settings.logging_level),
    );
    if (kept.length > 0) await jobLog.appendJobLog(spec.name, redactRecords(kept, redactHost));
  };
}
