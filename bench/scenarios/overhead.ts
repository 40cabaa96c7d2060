import { join } from "node:path";
import { tinyFiles } from "../data/tiny-files.js";
import { registerFiles, uploadFolder } from "../harness/bench-world.js";
import type { HostProcess } from "../harness/host-process.js";
import { repoRoot } from "../harness/host-process.js";
import type { BenchContext } from "./bench-context.js";
import { runMeasuredJob } from "./measured-job.js";

const FIXTURE = join(repoRoot, "bench", "fixtures", "instant");
/** The job sizes of the sweep, as the issue names them. */
export const SWEEP = ["500", "2000", "8000"] as const;
/** The size whose cost per mini-batch is the headline figure. */
const HEADLINE = "2000";

export interface OverheadResult {
  ms_per_minibatch: number;
  seconds_by_minibatches: Record<(typeof SWEEP)[number], number>;
  /** Mini-batches actually run for each key (the keys' numbers, or 1/50 of them in quick mode). */
  minibatches_by_key: Record<(typeof SWEEP)[number], number>;
  ms_per_minibatch_by_key: Record<(typeof SWEEP)[number], number>;
  /** seconds at 8000 / seconds at 500 (linear growth: 16). */
  ratio_8000_to_500: number;
  /** CPU milliseconds per mini-batch of the host and of Azurite at the headline size. */
  host_cpu_ms_per_minibatch?: number;
  azurite_cpu_ms_per_minibatch?: number;
  window: number;
  load: number;
}

/** Registers the bench's instant-script endpoint (bench/fixtures/instant). */
export async function prepareOverhead(context: BenchContext): Promise<void> {
  await registerFiles(context.world, {
    endpoint: join(FIXTURE, "endpoint.yml"),
    deployment: join(FIXTURE, "deployment.yml"),
  });
}

/**
 * A script that returns at once over N tiny files, one file per mini-batch, for N = 500, 2000 and
 * 8000: what is left is the engine's cost per mini-batch (orchestration, queues, storage, workers).
 */
export async function overheadBench(context: BenchContext, host: HostProcess): Promise<OverheadResult> {
  const scale = context.quick ? 50 : 1;
  const warm = await uploadFolder(context.world, await tinyFiles(4), "tiny-warm/");
  const body = (input: string) => ({
    input,
    mini_batch_size: 1,
    max_concurrency_per_instance: context.cores,
  });
  await runMeasuredJob(context, host, { endpoint: "bench-overhead", body: body(warm) });
  const seconds: Partial<Record<(typeof SWEEP)[number], number>> = {};
  const counts: Partial<Record<(typeof SWEEP)[number], number>> = {};
  let headline: Awaited<ReturnType<typeof runMeasuredJob>> | undefined;
  for (const key of SWEEP) {
    const count = Number(key) / scale;
    const input = await uploadFolder(context.world, await tinyFiles(count), `tiny-${count}/`);
    context.progress(`overhead: ${count} mini-batches of one tiny file`);
    const measured = await runMeasuredJob(context, host, {
      endpoint: "bench-overhead",
      body: body(input),
      pollMs: 1000,
    });
    seconds[key] = measured.seconds;
    counts[key] = count;
    if (key === HEADLINE) headline = measured;
  }
  const bySize = complete(seconds);
  const countBySize = complete(counts);
  const main = headline;
  if (!main) throw new Error("the headline size did not run");
  const perMiniBatch = (cpu: number | undefined) =>
    cpu === undefined ? undefined : (1000 * cpu) / countBySize[HEADLINE];
  return {
    ms_per_minibatch: (1000 * bySize[HEADLINE]) / countBySize[HEADLINE],
    seconds_by_minibatches: bySize,
    minibatches_by_key: countBySize,
    ms_per_minibatch_by_key: {
      "500": (1000 * bySize["500"]) / countBySize["500"],
      "2000": (1000 * bySize["2000"]) / countBySize["2000"],
      "8000": (1000 * bySize["8000"]) / countBySize["8000"],
    },
    ratio_8000_to_500: bySize["8000"] / bySize["500"],
    host_cpu_ms_per_minibatch: perMiniBatch(main.usage.hostCpuSeconds),
    azurite_cpu_ms_per_minibatch: perMiniBatch(main.usage.azuriteCpuSeconds),
    window: context.cores,
    load: main.usage.load,
  };
}

function complete(
  values: Partial<Record<(typeof SWEEP)[number], number>>,
): Record<(typeof SWEEP)[number], number> {
  const [a, b, c] = SWEEP.map((key) => values[key]);
  if (a === undefined || b === undefined || c === undefined)
    throw new Error("a size of the sweep is missing");
  return { "500": a, "2000": b, "8000": c };
}
