import { z } from "zod";

const figure = z.number().finite();

/**
 * The keys issue "Step 7" requires in bench/results/latest.json, each a finite number: a run that
 * lacks one fails (so `npm run bench -- --quick` is a smoke check of the whole bench).
 */
export const requiredKeysSchema = z.object({
  throughput: z.object({
    batchfn_rows_per_s: figure,
    limit_rows_per_s: figure,
    baseline_rows_per_s: figure,
    ratio_limit: figure,
    ratio_baseline: figure,
  }),
  overhead: z.object({
    ms_per_minibatch: figure,
    seconds_by_minibatches: z.object({ "500": figure, "2000": figure, "8000": figure }),
  }),
  latency: z.object({ first_minibatch_s: figure, one_file_job_s: figure }),
  memory: z.object({ rss_1x_mb: figure, rss_10x_mb: figure }),
  digits: z.object({ images_per_s: figure, baseline_images_per_s: figure }),
  python: z.object({
    sklearn: z.object({ items_per_s: figure, baseline_items_per_s: figure, ratio_baseline: figure }),
    digits: z.object({ items_per_s: figure, baseline_items_per_s: figure, ratio_baseline: figure }),
  }),
  machine: z.object({ cores: figure, memory_gb: figure, node: z.string() }),
});

/** The problems of a run's results, one line each; empty when every required key is there. */
export function missingKeys(results: unknown): string[] {
  const checked = requiredKeysSchema.safeParse(results);
  return checked.success
    ? []
    : checked.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}
