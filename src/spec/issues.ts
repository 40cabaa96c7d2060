import type { z } from "zod";
import type { ErrorDetail } from "../errors.js";

/**
 * Turns zod issues into the problems a person reads: one `{path, message}` per problem, the path in
 * dots with the YAML keys as written (`deployments.autolog_deployment.mini_batch_size`), the message
 * in plain words (`must be ≥ 1`, `unknown key 'foo'`).
 */

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;

/** Joins a path the way the YAML is written: `settings.retry_settings.timeout`, `deployments.0.name`. */
export function formatPath(path: Path): string {
  return path.map((key) => String(key)).join(".");
}

const expectedNouns: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  map: "a mapping",
  array: "a list",
  tuple: "a list",
  null: "empty",
};

/** A short description of a value as YAML shows it: `string "10"`, `a list`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

function listValues(values: readonly unknown[]): string {
  return values.map((value) => String(value)).join(", ");
}

/**
 * Per-parse zod error map giving the plain messages. Messages set on a schema itself (`resourceName`'s
 * "must be 3-32 characters long") take precedence over it, as zod applies schema-level messages first.
 */
export const issueMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const noun = expectedNouns[issue.expected] ?? issue.expected;
      return `must be ${noun} (got ${describeValue(issue.input)})`;
    }
    case "too_small": {
      const bound = Number(issue.minimum);
      if (issue.origin === "string") {
        return bound <= 1 ? "must not be empty" : `must be at least ${bound} characters long`;
      }
      if (issue.origin === "array" || issue.origin === "set") return `must hold at least ${bound} items`;
      return issue.inclusive === false ? `must be > ${bound}` : `must be ≥ ${bound}`;
    }
    case "too_big": {
      const bound = Number(issue.maximum);
      if (issue.origin === "string") return `must be at most ${bound} characters long`;
      if (issue.origin === "array" || issue.origin === "set") return `must hold at most ${bound} items`;
      return issue.inclusive === false ? `must be < ${bound}` : `must be ≤ ${bound}`;
    }
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${String(issue.values[0])}`
        : `must be one of: ${listValues(issue.values)}`;
    case "invalid_format":
      return issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}`;
    case "invalid_key":
      return "is not a valid name";
    case "invalid_union":
      return "is not valid here";
    default:
      return undefined;
  }
};

/**
 * Flattens zod issues (from a parse with `reportInput: true`) into details: one per unknown key,
 * located at the key itself; the matching branch of a union (a mapping given where "a string or a
 * mapping" is allowed is judged as a mapping); the reason of a bad record key. `prefix` places the
 * issues inside a larger document.
 */
export function issuesToDetails(issues: readonly Issue[], prefix = ""): ErrorDetail[] {
  return issuesAt(issues, prefix === "" ? [] : [prefix]);
}

function issuesAt(issues: readonly Issue[], base: Path): ErrorDetail[] {
  return issues.flatMap((issue) => issueToDetails(issue, [...base, ...issue.path]));
}

function issueToDetails(issue: Issue, path: Path): ErrorDetail[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => detail([...path, key], `unknown key '${key}'`));
    case "invalid_key": {
      const reason = issue.issues[0]?.message;
      return [detail(path, reason ? `is not a valid name: ${reason}` : "is not a valid name")];
    }
    case "invalid_union":
      return unionToDetails(issue, path);
    default:
      return [detail(path, issue.message)];
  }
}

/**
 * A union fails when no branch accepts the value. The branch whose type matched (its issues are not
 * a type mismatch at the union's own place) explains the problem; when none matched, the message
 * lists the accepted types.
 */
function unionToDetails(issue: Extract<Issue, { code: "invalid_union" }>, path: Path): ErrorDetail[] {
  const isTypeMismatch = (inner: Issue) => inner.code === "invalid_type" && inner.path.length === 0;
  const matched = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
  const [only] = matched;
  if (matched.length === 1 && only) return issuesAt(only, path);
  if (matched.length === 0) {
    if (issue.input === undefined) return [detail(path, "is required")];
    const nouns = issue.errors.flatMap((branch) =>
      branch.filter(isTypeMismatch).map((inner) => (inner.code === "invalid_type" ? inner.expected : "")),
    );
    const accepted = [...new Set(nouns.map((noun) => expectedNouns[noun] ?? noun))].join(" or ");
    return [detail(path, `must be ${accepted} (got ${describeValue(issue.input)})`)];
  }
  return [detail(path, issue.message)];
}

function detail(path: Path, message: string): ErrorDetail {
  return path.length === 0 ? { message: `the document ${message}` } : { path: formatPath(path), message };
}
