import { z } from "zod";
import type { ErrorDetail } from "../errors.js";

/**
 * Input field schemas and small readers shared by the document parsers: the forms Azure ML files are
 * written in, before they become the canonical shapes of `resources.ts`.
 */

/** `$schema: https://azuremlschemas.azureedge.net/...`: accepted, not checked. */
export const schemaUrl = z.string().optional();

/** An enum (or literal) written in any case (`INFO`, `Warning`), read in lower case. */
export function caseInsensitive<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === "string" ? value.toLowerCase() : value), schema);
}

/** Checks that a written asset gives where its files are: `path` (v2) or `local_path` (2021), not both. */
export function checkAssetPath(
  document: Record<string, unknown>,
  prefix: string,
  problems: ErrorDetail[],
): void {
  const hasPath = document.path !== undefined;
  const hasLocalPath = document.local_path !== undefined;
  if (hasPath && hasLocalPath) {
    problems.push({ path: join(prefix, "local_path"), message: "give either path or local_path, not both" });
  }
  if (!hasPath && !hasLocalPath)
    problems.push({ path: join(prefix, "path"), message: "is required (or local_path)" });
}

/**
 * True for `model: {name, version}` without a path: a reference to a registered model written as a
 * mapping (the canonical form a REST body carries), not an inline model to register.
 */
export function isReferenceMapping(document: Record<string, unknown>): boolean {
  return (
    document.version !== undefined &&
    Object.keys(document).every((key) => key === "name" || key === "version")
  );
}

/** An asset version, "1" when the document gives none (with a warning saying so). */
export function readAssetVersion(version: string | undefined, prefix: string, warnings: string[]): string {
  if (version !== undefined) return version;
  warnings.push(`${join(prefix, "version")}: not given; version 1 is used`);
  return "1";
}

/** Joins YAML path segments, skipping the empty prefix of a top-level document. */
export function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** True for a YAML mapping (a plain object, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops the keys whose value is undefined, so optional fields not written stay absent. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
