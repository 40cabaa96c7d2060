import { join } from "node:path";
import { tinyFiles } from "../data/tiny-files.js";
import { registerFiles, uploadFolder } from "../harness/bench-world.js";
import { repoRoot } from "../harness/host-process.js";
import { type BenchContext, withHost } from "./bench-context.js";
import { type ItemCost, itemCost } from "./item-cost.js";
import { type MeasuredJob, runMeasuredJob } from "./measured-job.js";

const FIXTURE = join(repoRoot, "bench", "fixtures", "instant");
/** The job sizes of the sweep, as the issue names them. */
export const SWEEP = ["500", "2000", "8000"] as const;
export type SweepKey = (typeof SWEEP)[number];
/** The size whose cost per mini-batch is the headline figure. */
const HEADLINE: SweepKey = "2000";

export interface OverheadResult {
  ms_per_minibatch: number;
  seconds_by_minibatches: Record<SweepKey, number>;
  /** Mini-batches actually run for each key (the keys' numbers, or 1/250 of them in quick mode). */
  minibatches_by_key: Record<SweepKey, number>;
  ms_per_minibatch_by_key: Record<SweepKey, number>;
  /** CPU milliseconds per mini-batch of the host, and of Azurite, at each size. */
  host_cpu_ms_by_key?: Record<SweepKey, number>;
  azurite_cpu_ms_by_key?: Record<SweepKey, number>;
  /** seconds at 8000 / seconds at 500 (linear growth: 16). */
  ratio_8000_to_500: number;
  /** HTTP requests of the host per mini-batch at the headline size (storage round trips, status polls). */
  requests_per_minibatch?: number;
  requests_per_minibatch_by_key?: Record<SweepKey, number>;
  /** The headline run's cost per mini-batch (an item is a mini-batch of one tiny file). */
  cost: ItemCost;
  /** CPU milliseconds per mini-batch of the host and of Azurite at the headline size. */
  host_cpu_ms_per_minibatch?: number;
  azurite_cpu_ms_per_minibatch?: number;
  window: number;
  load: number;
}

/** One size of the sweep, measured. */
export interface OverheadRun {
  key: SweepKey;
  miniBatches: number;
  job: MeasuredJob;
}

/**
 * Sizes of the sweep, one after another on a fresh host after a warm-up job: a script that returns
 * at once over N tiny files, one file per mini-batch (N = 500, 2000, 8000; quick mode 1/250 of
 * that). What is left is the engine's cost per mini-batch (orchestration, queues, storage, workers).
 */
export async function overheadRuns(context: BenchContext, keys: readonly SweepKey[]): Promise<OverheadRun[]> {
  await registerFiles(context.world, {
    endpoint: join(FIXTURE, "endpoint.yml"),
    deployment: join(FIXTURE, "deployment.yml"),
  });
  const warm = await uploadFolder(context.world, await tinyFiles(4), "tiny-warm/");
  const body = (folder: string) => ({
    input: folder,
    mini_batch_size: 1,
    max_concurrency_per_instance: context.cores,
  });
  return withHost(context, async (host) => {
    await runMeasuredJob(context, host, { endpoint: "bench-overhead", body: body(warm) });
    const runs: OverheadRun[] = [];
    for (const key of keys) {
      const miniBatches = Number(key) / (context.quick ? 250 : 1);
      const input = await uploadFolder(context.world, await tinyFiles(miniBatches), `tiny-${miniBatches}/`);
      context.progress(`overhead: ${miniBatches} mini-batches of one tiny file`);
      const job = await runMeasuredJob(context, host, {
        endpoint: "bench-overhead",
        body: body(input),
        pollMs: 1000,
        countRequests: true,
      });
      runs.push({ key, miniBatches, job });
    }
    return runs;
  });
}

/** The sweep's figures from its three runs. */
export function overheadResult(runs: readonly OverheadRun[], window: number): OverheadResult {
  const find = (key: SweepKey) => {
    const run = runs.find((candidate) => candidate.key === key);
    if (!run) throw new Error(`the overhead sweep lacks ${key} mini-batches`);
    return run;
  };
  const [small, headline, large] = [find("500"), find(HEADLINE), find("8000")];
  const bySize = (pick: (run: OverheadRun) => number) => ({
    "500": pick(small),
    "2000": pick(headline),
    "8000": pick(large),
  });
  const perMiniBatch = (value: number | undefined) =>
    value === undefined ? undefined : value / headline.miniBatches;
  return {
    ms_per_minibatch: (1000 * headline.job.seconds) / headline.miniBatches,
    seconds_by_minibatches: bySize((run) => run.job.seconds),
    minibatches_by_key: bySize((run) => run.miniBatches),
    ms_per_minibatch_by_key: bySize((run) => (1000 * run.job.seconds) / run.miniBatches),
    host_cpu_ms_by_key: bySize((run) => cpuMsPerMiniBatch(run, run.job.usage.hostCpuSeconds)),
    azurite_cpu_ms_by_key: bySize((run) => cpuMsPerMiniBatch(run, run.job.usage.azuriteCpuSeconds)),
    ratio_8000_to_500: large.job.seconds / small.job.seconds,
    requests_per_minibatch: perMiniBatch(headline.job.requests),
    requests_per_minibatch_by_key: bySize((run) => (run.job.requests ?? Number.NaN) / run.miniBatches),
    cost: itemCost(headline.job, { item: "mini-batch", items: headline.miniBatches }),
    host_cpu_ms_per_minibatch: perMiniBatch(mul(headline.job.usage.hostCpuSeconds)),
    azurite_cpu_ms_per_minibatch: perMiniBatch(mul(headline.job.usage.azuriteCpuSeconds)),
    window,
    load: headline.job.usage.load,
  };
}

function cpuMsPerMiniBatch(run: OverheadRun, seconds: number | undefined): number {
  return seconds === undefined ? Number.NaN : (1000 * seconds) / run.miniBatches;
}

function mul(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : 1000 * seconds;
}
