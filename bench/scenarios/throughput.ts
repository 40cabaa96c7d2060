import { join } from "node:path";
import { z } from "zod";
import { taxiData } from "../data/taxi-data.js";
import { registerFiles, uploadFolder } from "../harness/bench-world.js";
import { repoRoot } from "../harness/host-process.js";
import { runNodeScript } from "../harness/node-script.js";
import { type BenchContext, median, withHost } from "./bench-context.js";
import { type ItemCost, itemCost } from "./item-cost.js";
import { type LatencyResult, latencyRuns, oneFileJob } from "./latency.js";
import { type MeasuredJob, runMeasuredJob } from "./measured-job.js";

/** The taxi-tip example, registered from its own YAML files. */
export const TAXI_EXAMPLE = join(repoRoot, "examples", "taxi-tip");

export interface ThroughputResult {
  rows: number;
  files: number;
  batchfn_rows_per_s: number;
  batchfn_seconds: number;
  /** Seconds of each run over the data; the figures are the median run's. */
  batchfn_runs_s: number[];
  limit_rows_per_s: number;
  inference_only_rows_per_s: number;
  baseline_rows_per_s: number;
  ratio_limit: number;
  ratio_baseline: number;
  ratio_inference_only: number;
  host_cpu_s?: number;
  azurite_cpu_s?: number;
  load: number;
  settings: { mini_batch_size: number; max_concurrency_per_instance: number };
  /** The median run's cost per row: host and Azurite CPU, storage requests; and the naive loop's CPU per row. */
  cost: ItemCost;
  /** batchfn's CSV parser against the csv-parse library on the same files (one thread, in memory). */
  csv_parsers: { batchfn_rows_per_s: number; csv_parse_rows_per_s: number; ratio: number };
  /** Peak RSS of the host that ran this job (the memory bench's 1× figure). */
  rss_mb: number;
}

/** Sizes of the throughput data: 100 files of 10,000 rows (quick: 2 of 4,000). */
export function throughputShape(quick: boolean): { files: number; rowsPerFile: number } {
  return quick ? { files: 2, rowsPerFile: 4_000 } : { files: 100, rowsPerFile: 10_000 };
}

/** Registers the taxi example and uploads its own 10 files for warm-up jobs; returns their folder. */
export async function prepareTaxi(context: BenchContext): Promise<string> {
  await registerFiles(context.world, {
    endpoint: join(TAXI_EXAMPLE, "endpoint.yml"),
    deployment: join(TAXI_EXAMPLE, "deployment.yml"),
  });
  return uploadFolder(context.world, join(TAXI_EXAMPLE, "data"), "taxi-example/");
}

/** The example deployment's mini-batch size, set explicitly so that the bench does not follow edits of it. */
const MINI_BATCH_SIZE = 2;

/** The body that scores a folder with the taxi deployment, one scoring worker per core. */
export function taxiBody(context: BenchContext, input: string): Record<string, unknown> {
  return {
    input,
    input_type: "uri_folder",
    mini_batch_size: MINI_BATCH_SIZE,
    max_concurrency_per_instance: context.cores,
  };
}

/**
 * On a fresh host: a one-file job (the cold latency), a warm-up job over the example's files with
 * the measured settings (so the measured job finds its scoring workers started, as a user's second
 * job does), batchfn over the throughput data three times (the median run counts, as for the
 * baseline; quick: once), then the warm latency runs; then the limit and the naive baseline over
 * the same files.
 */
export async function throughputBench(
  context: BenchContext,
): Promise<{ throughput: ThroughputResult; latency: LatencyResult }> {
  const example = await prepareTaxi(context);
  const shape = throughputShape(context.quick);
  const dir = await taxiData(shape);
  const rows = shape.files * shape.rowsPerFile;
  const input = await uploadFolder(context.world, dir, "taxi-1x/");
  context.progress(`throughput: batchfn over ${rows} rows in ${shape.files} files`);
  const batchfn = await withHost(context, async (host) => {
    const cold = await oneFileJob(context, host, example);
    // the example's 10 files with the measured body: every scoring worker of the pool started
    await runMeasuredJob(context, host, { endpoint: "taxi-tip", body: taxiBody(context, example) });
    const runs: MeasuredJob[] = [];
    for (let run = 0; run < (context.quick ? 1 : 3); run++) {
      const job = await runMeasuredJob(context, host, {
        endpoint: "taxi-tip",
        body: taxiBody(context, input),
        countRequests: true,
      });
      if (job.view.progress?.rows !== rows)
        throw new Error(`expected ${rows} rows, scored ${job.view.progress?.rows}`);
      runs.push(job);
    }
    const measured = medianRun(runs);
    const rss = await host.peakRssMb();
    const latency = await latencyRuns(context, host, example, cold);
    return { measured, runs: runs.map((job) => job.seconds), rss, latency };
  });
  context.progress("throughput: the limit (in memory, all cores)");
  const limit = await runNodeScript("bench/limits/taxi-limit.ts", [dir], limitSchema);
  context.progress("throughput: batchfn's CSV parser and csv-parse on the same files");
  const parsers = await runNodeScript("bench/limits/csv-parsers.ts", [dir], parsersSchema);
  context.progress("throughput: the naive baseline (3 runs)");
  const baselines: Array<z.infer<typeof baselineSchema>> = [];
  for (let run = 0; run < 3; run++) {
    const out = join(repoRoot, "bench", ".data", "out", "taxi-baseline.csv");
    baselines.push(await runNodeScript("bench/limits/taxi-baseline.ts", [dir, out], baselineSchema));
  }
  const batchfnRate = rows / batchfn.measured.seconds;
  const baseline = median(baselines.map((run) => run.rows_per_s));
  const throughput: ThroughputResult = {
    rows,
    files: shape.files,
    batchfn_rows_per_s: batchfnRate,
    batchfn_seconds: batchfn.measured.seconds,
    batchfn_runs_s: batchfn.runs,
    limit_rows_per_s: limit.pipeline_rows_per_s,
    inference_only_rows_per_s: limit.inference_rows_per_s,
    baseline_rows_per_s: baseline,
    ratio_limit: batchfnRate / limit.pipeline_rows_per_s,
    ratio_baseline: batchfnRate / baseline,
    ratio_inference_only: batchfnRate / limit.inference_rows_per_s,
    host_cpu_s: batchfn.measured.usage.hostCpuSeconds,
    azurite_cpu_s: batchfn.measured.usage.azuriteCpuSeconds,
    load: batchfn.measured.usage.load,
    settings: { mini_batch_size: MINI_BATCH_SIZE, max_concurrency_per_instance: context.cores },
    rss_mb: batchfn.rss,
    cost: itemCost(batchfn.measured, {
      item: "row",
      items: rows,
      baselineCpuSecondsPerItem: median(baselines.map((run) => run.cpu_s / run.rows)),
    }),
    csv_parsers: {
      batchfn_rows_per_s: parsers.batchfn_rows_per_s,
      csv_parse_rows_per_s: parsers.csv_parse_rows_per_s,
      ratio: parsers.batchfn_rows_per_s / parsers.csv_parse_rows_per_s,
    },
  };
  return { throughput, latency: batchfn.latency };
}

const limitSchema = z.object({ pipeline_rows_per_s: z.number(), inference_rows_per_s: z.number() });
const parsersSchema = z.object({ batchfn_rows_per_s: z.number(), csv_parse_rows_per_s: z.number() });
const baselineSchema = z.object({ rows: z.number(), rows_per_s: z.number(), cpu_s: z.number() });

/** The run of median duration (its CPU figures belong to it). */
function medianRun(runs: readonly MeasuredJob[]): MeasuredJob {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!middle) throw new Error("no throughput run");
  return middle;
}
