import type { JSONValue } from "@jmespath-community/jmespath";
import { stringify as toYaml } from "yaml";
import { errors } from "../../errors.js";
import { compileQuery, searchQuery } from "./az-jmespath.js";
import { renderTable, type TableRow } from "./render-table.js";

/** The output formats of `--output/-o`, as in `az` (`none` prints nothing). */
export const OUTPUT_FORMATS = ["json", "tsv", "table", "yaml", "none"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface FormatOptions {
  format: OutputFormat;
  /** A JMESPath expression applied before formatting (`--query`). */
  query?: string;
  /** The rows `-o table` shows for this command's answer when no `--query` reshaped it. */
  tableRows?: (value: unknown) => TableRow[];
}

/**
 * The text a command prints on stdout: its answer, reshaped by `--query`, in one of the `az`
 * formats. An empty answer (a delete, a query that matches nothing) prints nothing.
 */
export function formatOutput(value: unknown, options: FormatOptions): string {
  const shaped = options.query === undefined ? value : runQuery(value, options.query);
  if (shaped === undefined || options.format === "none") return "";
  switch (options.format) {
    case "json":
      return `${JSON.stringify(shaped, null, 2)}\n`;
    case "yaml":
      return toYaml(shaped);
    case "tsv":
      return tsv(shaped);
    case "table": {
      const rows =
        options.tableRows && options.query === undefined ? options.tableRows(shaped) : tableOf(shaped);
      return renderTable(rows);
    }
  }
}

/**
 * Checks a JMESPath expression's syntax without data, so a typo fails before anything is sent.
 * (Evaluating it against an empty answer would refuse expressions that are right for the real one,
 * such as `length([])`.)
 */
export function checkQuery(query: string): void {
  try {
    compileQuery(query);
  } catch (thrown) {
    throw queryError(thrown, "is not a valid JMESPath expression");
  }
}

/** Applies a JMESPath expression as az does (az-jmespath.ts); `null` (nothing matched) prints nothing. */
function runQuery(value: unknown, query: string): unknown {
  try {
    const result: unknown = searchQuery(toJson(value), query);
    return result ?? undefined;
  } catch (thrown) {
    throw queryError(thrown, "failed on the answer");
  }
}

function queryError(thrown: unknown, what: string) {
  const reason = thrown instanceof Error ? thrown.message : String(thrown);
  return errors.invalidParameter("--query", `${what}: ${reason}`);
}

/** The answer as the JSON value it was parsed from (CLI answers are parsed JSON already). */
function toJson(value: unknown): JSONValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JSONValue);
}

/**
 * Tab-separated values like `az -o tsv`: a scalar alone on its line; an object as one line of its
 * scalar fields (nested objects and lists are left out); a list as one line per element.
 */
function tsv(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `${tsvRow(item)}\n`).join("");
  return `${tsvRow(value)}\n`;
}

function tsvRow(value: unknown): string {
  if (Array.isArray(value)) return value.filter(isScalar).map(scalarText).join("\t");
  if (isObject(value)) return Object.values(value).filter(isScalar).map(scalarText).join("\t");
  return scalarText(value);
}

/** Table rows of any answer: objects by their scalar fields, scalars as one `Result` column. */
function tableOf(value: unknown): TableRow[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (isObject(item)) {
      return Object.fromEntries(
        Object.entries(item)
          .filter(([, field]) => isScalar(field))
          .map(([key, field]) => [key, scalarText(field)]),
      );
    }
    return { Result: isScalar(item) ? scalarText(item) : JSON.stringify(item) };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || value === undefined || !(typeof value === "object");
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
