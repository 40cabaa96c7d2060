import { z } from "zod";

/**
 * The rules for names and paths callers give: job names, output file names, and the text of paths
 * and URIs. One place for each rule; the schemas of documents and bodies, the route parameters and
 * the output writer all use these, so a bad name is refused (400) where it enters, never after it
 * has reached a table key or a blob name. (Endpoint, deployment and asset names: `resources.ts`.)
 */

/**
 * A job name, the one rule wherever a name enters (`job_name` of an invocation, the `{job}` of a
 * URL) or is used (blob names `<job>/plan.json`, `logs/<job>.jsonl`, table keys, Durable instance
 * ids): letters, digits, `-` and `_`, starting with a letter or digit, at most 255 characters.
 * This is Azure ML's rule for job names (the `name` pattern of `workspaces/jobs` in its REST API:
 * `^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$`).
 */
export const jobName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][-_a-zA-Z0-9]{0,254}$/,
    "must be 1-255 letters, digits, '-' or '_', starting with a letter or digit",
  );

/** Checks a job name against {@link jobName}, throwing a zod error that names the rule. */
export function checkJobName(name: string): string {
  return jobName.parse(name);
}

/** True when `text` holds NUL or another control character, which no blob name, file name or URI may hold. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Text of a path or URI: not empty, at most 2048 characters, no control characters. */
export const pathText = z
  .string()
  .min(1)
  .max(2048, "must be at most 2048 characters")
  .refine((text) => !hasControl(text), "must not hold control characters (NUL, tab, newline...)");

/** Names batchfn writes next to the predictions itself: an output file may not take them. */
export const JOB_SUMMARY_FILE = "job_summary.json";
export const ERRORS_FILE = "errors.jsonl";
const RESERVED = /^(errors(-\d{5})?\.jsonl|job_summary\.json)$/i;

/** What is wrong with an output file name, or undefined when it is usable. */
export function outputFileNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 255) return "must be 1-255 characters long";
  if (hasControl(name)) return "must not hold control characters (NUL, tab, newline...)";
  if (/[/\\]/.test(name)) return "must be a file name, without folders";
  if (name.trim() !== name) return "must not start or end with a space";
  if (name === "." || name === "..") return "must be a file name, not '.' or '..'";
  if (RESERVED.test(name)) return `'${name}' is the name of a file batchfn writes itself`;
  return undefined;
}

/** `output_file_name`: a plain file name, 1-255 characters, none that batchfn writes itself. */
export const outputFileName = z.string().superRefine((name, context) => {
  const problem = outputFileNameProblem(name);
  if (problem) context.addIssue({ code: "custom", message: problem });
});

/** Keys that reach an object's prototype when assigned: never taken from a body or a `--set` path. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The dotted path of the first `__proto__` key in a parsed body (JSON.parse keeps it as an own
 * key, which a later `Object.assign` would turn into a prototype), or undefined when there is none.
 */
export function findProtoKey(value: unknown, path = ""): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const at = path === "" ? key : `${path}.${key}`;
    if (key === "__proto__") return at;
    const inner = findProtoKey((value as Record<string, unknown>)[key], at);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
