import { z } from "zod";
import type { ErrorDetail } from "../errors.js";
import { pathText } from "./names.js";

/**
 * Named inputs and outputs of a job, in Azure ML v2's forms: an invocation's `inputs:` / `outputs:`
 * (inputs.yml, `--set inputs.<name>.path=...`, the REST `InputData` / `OutputData` maps), and what
 * a deployment may declare about them (`inputs:` / `outputs:`, batchfn additions).
 */

/** A name of an input or output: letters, digits and `_` (Azure ML's rule), so it can end an environment variable. */
export const ioName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, "must be 1-64 letters, digits or '_', not starting with a digit");

/** The predictions output, as Azure ML names it. */
export const SCORE_OUTPUT = "score";

/** The types of data inputs (as `resources.ts` `dataType`, kept here so resources.ts can import this file). */
const dataType = z.enum(["uri_file", "uri_folder"]);

export const literalType = z.enum(["string", "boolean", "integer", "number"]);
export type LiteralType = z.infer<typeof literalType>;
export type LiteralValue = string | number | boolean;
export const literalValue = z.union([z.string(), z.number(), z.boolean()]);

/** Every input type: a data input (`uri_file`, `uri_folder`) or a literal. */
export const inputType = z.enum([...dataType.options, ...literalType.options]);
export type InputType = z.infer<typeof inputType>;

export function isLiteralType(type: string): type is LiteralType {
  return (literalType.options as readonly string[]).includes(type);
}

/** A data input as a job keeps it: a URI (datastore, https) or a data asset. */
export type DataInput =
  | { kind: "uri"; uri: string; type?: "uri_file" | "uri_folder" }
  | { kind: "data"; name: string; version: string };

/** A literal input: a typed value handed to the scoring script as it is. */
export interface LiteralInput {
  kind: "literal";
  type: LiteralType;
  value: LiteralValue;
}

/** A named input of an invocation, before the default one is chosen. */
export type NamedInput = DataInput | LiteralInput;

/** A named output of an invocation: where it goes (absent: batchfn's default place for it). */
export interface NamedOutput {
  type: "uri_file" | "uri_folder";
  path?: string;
}

/**
 * An input as inputs.yml and batchfn's body write it: `{type, path}` for data, `{type, default}`
 * (Azure ML's word; `value` also accepted) for a literal. `mode` is accepted and not used.
 */
export const inputEntry = z.strictObject({
  type: inputType.optional(),
  path: pathText.optional(),
  default: literalValue.optional(),
  value: literalValue.optional(),
  mode: z.string().optional(),
  description: z.string().optional(),
});
export type InputEntry = z.infer<typeof inputEntry>;

/** An output as inputs.yml and batchfn's body write it: `{type, path}`. */
export const outputEntry = z.strictObject({
  type: dataType.default("uri_folder"),
  path: pathText.optional(),
  mode: z.string().optional(),
  description: z.string().optional(),
});

/** What a deployment declares about one input (batchfn addition): its type, and for a literal a default. */
export const inputDeclaration = z.strictObject({
  type: inputType,
  default: literalValue.optional(),
  optional: z.boolean().default(false),
  description: z.string().optional(),
});
export type InputDeclaration = z.infer<typeof inputDeclaration>;

/** What a deployment declares about one output beyond `score`: a folder its scoring script writes into. */
export const outputDeclaration = z.strictObject({
  type: z.literal("uri_folder", { error: "must be uri_folder (a folder the scoring script writes into)" }),
  description: z.string().optional(),
});
export type OutputDeclaration = z.infer<typeof outputDeclaration>;

export const inputDeclarations = z.record(ioName, inputDeclaration);
export const outputDeclarations = z.record(ioName, outputDeclaration);

/**
 * A literal's value as its type wants it, or the problem: a string takes any scalar (as text); a
 * boolean `true`/`false` (or that text); an integer a whole number (or its digits); a number any
 * finite number (or its text). REST bodies give every literal as text, so text is read too.
 */
export function readLiteral(
  type: LiteralType,
  value: unknown,
): { ok: true; value: LiteralValue } | { ok: false; message: string } {
  const got = `got ${typeof value === "string" ? `'${value}'` : JSON.stringify(value)}`;
  switch (type) {
    case "string":
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        return { ok: true, value: String(value) };
      return { ok: false, message: `must be a string, ${got}` };
    case "boolean": {
      if (typeof value === "boolean") return { ok: true, value };
      const text = typeof value === "string" ? value.trim().toLowerCase() : undefined;
      if (text === "true" || text === "false") return { ok: true, value: text === "true" };
      return { ok: false, message: `must be a boolean (true or false), ${got}` };
    }
    case "integer": {
      const number = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof number === "number" && Number.isSafeInteger(number)) return { ok: true, value: number };
      return { ok: false, message: `must be an integer, ${got}` };
    }
    case "number": {
      const number =
        typeof value === "string" && value.trim() !== "" && !/^0x/i.test(value.trim())
          ? Number(value)
          : value;
      if (typeof number === "number" && Number.isFinite(number)) return { ok: true, value: number };
      return { ok: false, message: `must be a finite number, ${got}` };
    }
  }
}

/** The literal type of a value given without one (`Value: 5` in a REST body): its JSON type. */
export function literalTypeOf(value: LiteralValue): LiteralType {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return "string";
}

/**
 * Reads one `inputs.<name>` entry of inputs.yml or batchfn's body into a named input. `readData`
 * turns a path into a data input (or records why it cannot). Problems are pushed with their path.
 */
export function readInputEntry(
  entry: InputEntry,
  at: string,
  readData: (path: string, type: "uri_file" | "uri_folder" | undefined, at: string) => DataInput | undefined,
  details: ErrorDetail[],
): NamedInput | undefined {
  const given = entry.default ?? entry.value;
  if (entry.default !== undefined && entry.value !== undefined) {
    details.push({ path: `${at}.value`, message: "give the value once (default or value)" });
    return undefined;
  }
  const type = entry.type;
  if (type !== undefined && isLiteralType(type)) {
    if (entry.path !== undefined) {
      details.push({ path: `${at}.path`, message: `a ${type} input has a value (default), not a path` });
      return undefined;
    }
    if (given === undefined) {
      details.push({ path: `${at}.default`, message: `is required: the value of the ${type} input` });
      return undefined;
    }
    const read = readLiteral(type, given);
    if (!read.ok) {
      details.push({ path: `${at}.default`, code: "InvalidLiteral", message: read.message });
      return undefined;
    }
    return { kind: "literal", type, value: read.value };
  }
  if (entry.path === undefined) {
    if (type === undefined && given !== undefined) {
      return { kind: "literal", type: literalTypeOf(given), value: given };
    }
    details.push({ path: `${at}.path`, message: "is required for a data input (uri_folder or uri_file)" });
    return undefined;
  }
  if (given !== undefined) {
    details.push({ path: `${at}.default`, message: "a data input has a path, not a value" });
    return undefined;
  }
  return readData(entry.path, type, `${at}.path`);
}
