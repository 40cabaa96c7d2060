import type { LogRecord } from "../../spec/log-record.schema.js";

/**
 * One record as one JSON line (ending in `\n`) of at most `maxBytes`: an oversized record keeps its
 * metadata and the start of its message, drops its fields and says so.
 */
export function logLine(record: LogRecord, maxBytes: number): string {
  const line = `${JSON.stringify(record)}\n`;
  if (Buffer.byteLength(line) <= maxBytes) return line;
  const { fields: _dropped, ...rest } = record;
  const overhead =
    Buffer.byteLength(JSON.stringify({ ...rest, message: "", fields: { truncated: true } })) + 1;
  let message = record.message.slice(0, Math.max(0, maxBytes - overhead));
  let truncated = `${JSON.stringify({ ...rest, message, fields: { truncated: true } })}\n`;
  while (Buffer.byteLength(truncated) > maxBytes && message.length > 0) {
    message = message.slice(0, Math.floor(message.length * 0.9));
    truncated = `${JSON.stringify({ ...rest, message, fields: { truncated: true } })}\n`;
  }
  return truncated;
}
