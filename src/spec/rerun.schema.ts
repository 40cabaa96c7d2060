import { z } from "zod";
import { isMapping } from "./fields.js";
import { invokeOverrides } from "./invoke.schema.js";
import { jobName, pathText } from "./names.js";
import { resourceName } from "./resources.js";
import { invalidDocument, validate } from "./spec-validation.js";

/**
 * The body of `POST /api/jobs/{job}/rerun`: which items (`failed_only`: those the job's errors.jsonl
 * lists; else all of its input again), and what may differ from the job re-run: its name, its
 * output folder, its deployment (of the same endpoint), its settings.
 */
export const rerunBodySchema = z.strictObject({
  failed_only: z.boolean().default(false),
  job_name: jobName.optional(),
  output_path: pathText.optional(),
  overwrite: z.boolean().default(false),
  deployment_name: resourceName.optional(),
  ...invokeOverrides.shape,
});
export type RerunBody = z.infer<typeof rerunBodySchema>;

/** Reads a re-run body (an empty body is `{}`); `InvalidSpec` listing every problem with its path. */
export function parseRerunBody(body: unknown): RerunBody {
  if (body !== undefined && !isMapping(body)) {
    throw invalidDocument("invocation", [{ message: "the body must be a JSON object" }]);
  }
  const checked = validate(rerunBodySchema, body ?? {});
  if (!checked.ok) throw invalidDocument("invocation", checked.details);
  return checked.value;
}
