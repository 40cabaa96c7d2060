import { type ColumnPlan, columnPlan } from "./batch-text.js";
import type { RowBatch } from "./row-batch.js";
import type { TextFormat } from "./row-format.js";

const encoder = new TextEncoder();
/** Characters of the longest number `String` prints ("-1.2345678901234567e-308"), with room to spare. */
const NUMBER_BYTES = 32;
const COMMA = 44;
const SPACE = 32;
const NEWLINE = 10;
const ZERO = 48;

/**
 * The UTF-8 bytes of `batchText(batch, format)` for the usual no-code rows — every column numbers
 * or one text for every row (`row`, the predictions, `file_name`), in csv or aml — written straight
 * into bytes of their own (no string per line, no text to encode afterwards: the scoring workers
 * move these bytes to the host's thread as they are). Undefined for any other batch: the caller
 * then encodes the text.
 */
export function batchBytes(batch: RowBatch, format: TextFormat): Uint8Array | undefined {
  if (format === "jsonl") return undefined;
  const csv = format === "csv";
  const plans = batch.columns.map((column) => columnPlan(column.values, batch.count, csv));
  const fields: Array<Exclude<ColumnPlan, { kind: "values" }> & { bytes?: Uint8Array }> = [];
  let rowBytes = 1;
  for (const plan of plans) {
    if (plan.kind === "values") return undefined;
    const bytes = plan.kind === "same" ? encoder.encode(plan.field) : undefined;
    rowBytes += 1 + (bytes ? bytes.length : NUMBER_BYTES);
    fields.push(bytes ? { ...plan, bytes } : plan);
  }
  const separator = csv ? COMMA : SPACE;
  const out = new Uint8Array(rowBytes * batch.count);
  let at = 0;
  for (let i = 0; i < batch.count; i++) {
    for (let c = 0; c < fields.length; c++) {
      if (c > 0) out[at++] = separator;
      const field = fields[c] as (typeof fields)[number];
      if (field.kind === "numbers") at = writeNumber(out, at, field.values[i] as number);
      else if (field.bytes) at = writeBytes(out, at, field.bytes);
    }
    out[at++] = NEWLINE;
  }
  return out.slice(0, at);
}

/** `String(value)` as ASCII bytes at `at`; returns the end. */
function writeNumber(out: Uint8Array, at: number, value: number): number {
  if (value >= 0 && value < 2_147_483_648 && (value | 0) === value) {
    // a non-negative integer (or -0, which prints as 0): its digits, written from the end
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    let rest = value;
    for (let k = at + digits - 1; k >= at; k--) {
      out[k] = ZERO + (rest % 10);
      rest = (rest / 10) | 0;
    }
    return at + digits;
  }
  const text = `${value}`;
  for (let k = 0; k < text.length; k++) out[at + k] = text.charCodeAt(k);
  return at + text.length;
}

function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  if (bytes.length > 16) {
    out.set(bytes, at);
    return at + bytes.length;
  }
  for (let k = 0; k < bytes.length; k++) out[at + k] = bytes[k] as number;
  return at + bytes.length;
}
