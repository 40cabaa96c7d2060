import { z } from "zod";

const figure = z.number().finite();
/** Every scenario's cost per item: the host's and Azurite's CPU, the storage requests. */
const cost = z.object({
  host_cpu_us_per_item: figure,
  azurite_cpu_us_per_item: figure,
  requests_per_item: figure,
  requests_per_minibatch: figure,
});
const costWithLoop = cost.extend({ baseline_cpu_us_per_item: figure });

/**
 * The keys issue "Step 7" requires in bench/results/latest.json, and each scenario's cost per item
 * (issue 18), each a finite number: a run that lacks one fails (so `npm run bench -- --quick` is a smoke check of the whole bench).
 */
export const requiredKeysSchema = z.object({
  throughput: z.object({
    batchfn_rows_per_s: figure,
    limit_rows_per_s: figure,
    baseline_rows_per_s: figure,
    ratio_limit: figure,
    ratio_baseline: figure,
    cost: costWithLoop,
    csv_parsers: z.object({ batchfn_rows_per_s: figure, csv_parse_rows_per_s: figure, ratio: figure }),
  }),
  overhead: z.object({
    ms_per_minibatch: figure,
    seconds_by_minibatches: z.object({ "500": figure, "2000": figure, "8000": figure }),
    cost,
  }),
  latency: z.object({ first_minibatch_s: figure, one_file_job_s: figure }),
  memory: z.object({ rss_1x_mb: figure, rss_10x_mb: figure, cost_10x: cost }),
  digits: z.object({ images_per_s: figure, baseline_images_per_s: figure, cost: costWithLoop }),
  python: z.object({
    sklearn: z.object({
      items_per_s: figure,
      baseline_items_per_s: figure,
      ratio_baseline: figure,
      cost: costWithLoop,
    }),
    digits: z.object({
      items_per_s: figure,
      baseline_items_per_s: figure,
      ratio_baseline: figure,
      cost: costWithLoop,
    }),
  }),
  cli: z.object({ help_s: figure, show_s: figure, node_s: figure }),
  machine: z.object({ cores: figure, memory_gb: figure, node: z.string() }),
});

/** The problems of a run's results, one line each; empty when every required key is there. */
export function missingKeys(results: unknown): string[] {
  const checked = requiredKeysSchema.safeParse(results);
  return checked.success
    ? []
    : checked.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}
