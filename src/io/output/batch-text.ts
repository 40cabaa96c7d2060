import type { RowBatch } from "./row-batch.js";
import { amlText, csvField, jsonValue, type TextFormat, valueText } from "./row-format.js";

/**
 * The output text of a batch, written straight from its columns (no record per row): exactly what
 * `formatRows` makes of `batchRecords(batch)` — values joined by a space (`aml`), CSV fields
 * (`csv`, without the header: the finaliser writes it), or one JSON object per line (`jsonl`).
 */
export function batchText(batch: RowBatch, format: TextFormat): string {
  if (format === "jsonl") return jsonLines(batch);
  const csv = format === "csv";
  const separator = csv ? "," : " ";
  const plans = batch.columns.map((column) => columnPlan(column.values, batch.count, csv));
  if (plans.every((plan) => plan.kind !== "values")) return plainLines(plans, batch.count, separator);
  const columns = batch.columns.map((column) => ({ values: column.values, cache: new FieldCache(csv) }));
  let text = "";
  for (let i = 0; i < batch.count; i++) {
    let line = "";
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as (typeof columns)[number];
      const value = column.values[i];
      const field = typeof value === "number" ? String(value) : column.cache.field(value);
      line = c === 0 ? field : `${line}${separator}${field}`;
    }
    text += `${line}\n`;
  }
  return text;
}

/** How a column is written: numbers as they print, one text for every row, or value by value. */
export type ColumnPlan =
  | { kind: "numbers"; values: ArrayLike<number> }
  | { kind: "same"; field: string }
  | { kind: "values" };

export function columnPlan(values: ArrayLike<unknown>, count: number, csv: boolean): ColumnPlan {
  if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array) {
    return { kind: "numbers", values };
  }
  const first = values[0];
  let numbers = true;
  let same = typeof first === "string";
  for (let i = 0; i < count && (numbers || same); i++) {
    const value = values[i];
    if (typeof value !== "number") numbers = false;
    if (value !== first) same = false;
  }
  if (numbers) return { kind: "numbers", values: values as ArrayLike<number> };
  if (same) return { kind: "same", field: csv ? csvField(first as string) : amlText(first as string) };
  return { kind: "values" };
}

/**
 * The usual no-code rows (`row`, the predictions, `file_name`): numbers and one file name, written
 * with no call per value (a number in a template prints as `String` prints it).
 */
function plainLines(plans: readonly ColumnPlan[], count: number, separator: string): string {
  const [a, b, c] = plans;
  if (plans.length === 3 && a?.kind === "numbers" && b?.kind === "numbers" && c?.kind === "same") {
    const end = `${separator}${c.field}\n`;
    let text = "";
    for (let i = 0; i < count; i++) text += `${a.values[i]}${separator}${b.values[i]}${end}`;
    return text;
  }
  let text = "";
  for (let i = 0; i < count; i++) {
    let line = "";
    for (let k = 0; k < plans.length; k++) {
      const plan = plans[k] as Exclude<ColumnPlan, { kind: "values" }>;
      const field = plan.kind === "numbers" ? `${plan.values[i]}` : plan.field;
      line = k === 0 ? field : `${line}${separator}${field}`;
    }
    text += `${line}\n`;
  }
  return text;
}

/** One record per row, the columns' values under their names (what a runtime would return as rows). */
export function batchRecords(batch: RowBatch): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < batch.count; i++) {
    const record: Record<string, unknown> = {};
    for (const column of batch.columns) record[column.name] = column.values[i];
    records.push(record);
  }
  return records;
}

/** Fields of the last value seen, per column (a file name repeats on every row of its file). */
class FieldCache {
  private last: unknown = Symbol("none");
  private text = "";

  constructor(private readonly csv: boolean) {}

  field(value: unknown): string {
    if (value !== this.last || typeof value === "object") {
      this.last = value;
      this.text = this.csv ? csvField(valueText(value)) : amlText(valueText(value));
    }
    return this.text;
  }
}

function jsonLines(batch: RowBatch): string {
  const keys = batch.columns.map((column) => `${JSON.stringify(column.name)}:`);
  let text = "";
  for (let i = 0; i < batch.count; i++) {
    let line = "{";
    for (let c = 0; c < keys.length; c++) {
      line += `${c === 0 ? "" : ","}${keys[c]}${jsonValue(batch.columns[c]?.values[i])}`;
    }
    text += `${line}}\n`;
  }
  return text;
}
