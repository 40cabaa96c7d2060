import type { LogRecord } from "../../spec/log-record.schema.js";
import { engineRecord, type LogTags } from "../log/log-levels.js";

/**
 * The log records of one mini-batch attempt, as they arrive from its worker. Only the last
 * `limit` are kept, so a script that logs without end cannot exhaust memory; a leading engine
 * record says how many earlier ones were dropped.
 */
export class LogCollector {
  private readonly kept: LogRecord[] = [];
  private dropped = 0;

  constructor(
    private readonly limit: number,
    private readonly tags: LogTags,
  ) {}

  add(record: LogRecord): void {
    this.kept.push(record);
    if (this.kept.length > this.limit) {
      this.kept.shift();
      this.dropped += 1;
    }
  }

  records(): LogRecord[] {
    if (this.dropped === 0) return [...this.kept];
    const note = engineRecord(
      "warning",
      `${this.dropped} earlier log records of this mini-batch were dropped (the last ${this.limit} are kept)`,
      this.tags,
    );
    return [note, ...this.kept];
  }
}
