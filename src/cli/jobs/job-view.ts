import { z } from "zod";
import type { TableRow } from "../output/render-table.js";

const count = z.number().int().nonnegative();

/** The fields of a job resource (`GET /api/jobs/{job}`) the CLI reads; the rest is printed as it comes. */
export const jobViewSchema = z.object({
  name: z.string(),
  status: z.string(),
  endpoint: z.string().optional(),
  deployment: z.string().optional(),
  created_at: z.string().optional(),
  input: z.string().optional(),
  output: z
    .object({ path: z.string(), file_name: z.string().optional(), files: z.array(z.string()).optional() })
    .optional(),
  progress: z
    .object({
      mini_batches: z.object({ total: count, succeeded: count, failed: count, running: count.optional() }),
      items: z.object({ total: count, succeeded: count, failed: count }),
      rows: count.optional(),
    })
    .nullish(),
  message: z.string().nullish(),
  errors: z.array(z.unknown()).nullish(),
  named_outputs: z.record(z.string(), z.string()).nullish(),
  rerun_of: z.string().nullish(),
  reruns: z.array(z.string()).nullish(),
});
export type JobView = z.infer<typeof jobViewSchema>;

const errorLineSchema = z.object({
  item: z.string().optional(),
  mini_batch: z.number().optional(),
  attempt: z.number().optional(),
  code: z.string().optional(),
  message: z.string(),
});

/** The statuses a job never leaves. */
export const TERMINAL_STATUSES = ["Completed", "Failed", "Canceled"];

/** `Running · mini-batches 3/5 done (1 failed, 2 running) · items 120/211 scored, 0 failed` */
export function progressText(job: JobView): string {
  const p = job.progress;
  if (!p) return `${job.name}: ${job.status}`;
  const m = p.mini_batches;
  const running = m.running ? `, ${m.running} running` : "";
  return `${job.name}: ${job.status} · mini-batches ${m.succeeded + m.failed}/${m.total} done (${m.failed} failed${running}) · items ${p.items.succeeded}/${p.items.total} scored, ${p.items.failed} failed`;
}

/**
 * What a person needs once a job ended, one line each: its status and counts, where the output
 * is, and for a failure the reason and the first failed items with their file names.
 */
export function outcomeLines(job: JobView): string[] {
  const lines = [`Job ${job.name} ${job.status}${job.message ? `: ${job.message}` : ""}`];
  const p = job.progress;
  if (p) {
    lines.push(
      `  mini-batches: ${p.mini_batches.succeeded} succeeded, ${p.mini_batches.failed} failed of ${p.mini_batches.total}; items: ${p.items.succeeded} succeeded, ${p.items.failed} failed of ${p.items.total}`,
    );
  }
  if (job.output) lines.push(`  output: ${job.output.path}`);
  for (const file of job.output?.files ?? []) lines.push(`    ${file}`);
  const errors = job.errors ?? [];
  if (errors.length > 0) lines.push("  first errors:");
  for (const error of errors) lines.push(`    ${errorText(error)}`);
  return lines;
}

/** `taxi-03.csv (mini-batch 1, attempt 2): InvalidColumnValue: ...` */
export function errorText(error: unknown): string {
  const parsed = errorLineSchema.safeParse(error);
  if (!parsed.success) return JSON.stringify(error);
  const e = parsed.data;
  const where = [
    e.mini_batch === undefined ? undefined : `mini-batch ${e.mini_batch}`,
    e.attempt === undefined ? undefined : `attempt ${e.attempt}`,
  ].filter(Boolean);
  return `${e.item ?? "?"}${where.length > 0 ? ` (${where.join(", ")})` : ""}: ${e.code ? `${e.code}: ` : ""}${e.message}`;
}

/** The rows `-o table` shows for one job or a list of jobs. */
export function jobTableRows(value: unknown): TableRow[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item): TableRow => {
    const job = jobViewSchema.safeParse(item);
    if (!job.success) return { Result: JSON.stringify(item) };
    const j = job.data;
    const p = j.progress;
    return {
      Name: j.name,
      Status: j.status,
      Endpoint: j.endpoint ?? "",
      Deployment: j.deployment ?? "",
      MiniBatches: p ? `${p.mini_batches.succeeded + p.mini_batches.failed}/${p.mini_batches.total}` : "",
      Items: p ? `${p.items.succeeded} ok, ${p.items.failed} failed` : "",
      Created: j.created_at ?? "",
      Output: j.output?.path ?? "",
    };
  });
}
