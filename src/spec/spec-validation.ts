import type { z } from "zod";
import { type BatchfnError, type ErrorDetail, errors } from "../errors.js";
import { issueMessages, issuesToDetails } from "./issues.js";

/** What a YAML document describes, as named in error messages. */
export type DocumentKind =
  | "batch endpoint"
  | "batch deployment"
  | "model"
  | "data asset"
  | "datastore"
  | "compute"
  | "invocation";

/** Options every `parse*Document` function takes. */
export interface DocumentOptions {
  /** Where the document came from (a file name), named in the error message. */
  source?: string;
}

/** A validation outcome that keeps every problem instead of stopping at the first. */
export type Checked<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

/** Validates `value` with `schema`, giving plain messages located under `prefix`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): Checked<z.output<S>> {
  const result = schema.safeParse(value, { error: issueMessages, reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, details: issuesToDetails(result.error.issues, prefix) };
}

/**
 * Builds a canonical resource from already validated fields, applying its defaults. The fields were
 * checked against the same rules on the way in, so a failure here is reported like any other problem
 * rather than thrown as a bare zod error.
 */
export function toCanonical<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: string,
  problems: ErrorDetail[],
): z.output<S> | undefined {
  const checked = validate(schema, value, prefix);
  if (checked.ok) return checked.value;
  problems.push(...checked.details);
  return undefined;
}

/** One line per problem: `settings.mini_batch_size: must be ≥ 1`. */
export function describeDetails(details: readonly ErrorDetail[]): string {
  return details
    .map((detail) => (detail.path ? `${detail.path}: ${detail.message}` : detail.message))
    .join("; ");
}

/** The `InvalidSpec` error listing every problem of a document. */
export function invalidDocument(
  kind: DocumentKind,
  details: ErrorDetail[],
  options: DocumentOptions = {},
): BatchfnError {
  const where = options.source ? ` (${options.source})` : "";
  const problems = firstPerPath(details);
  return errors.invalidSpec(`Invalid ${kind} document${where}: ${describeDetails(problems)}`, problems);
}

/**
 * Keeps the first problem of each place: a name that is too short and badly formed, or a traffic key
 * that is both invalid and unknown, reads best as one problem. Problems without a path are all kept.
 */
export function firstPerPath(details: readonly ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((detail) => {
    if (detail.path === undefined) return true;
    if (seen.has(detail.path)) return false;
    seen.add(detail.path);
    return true;
  });
}
