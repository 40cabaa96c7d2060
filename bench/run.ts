import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBenchWorld } from "./harness/bench-world.js";
import { repoRoot } from "./harness/host-process.js";
import { resultsChart } from "./report/chart.js";
import { describeMachine } from "./report/machine.js";
import type { BenchResults } from "./report/results.js";
import { resultsTable } from "./report/table.js";
import { checkTargets } from "./report/targets.js";
import { type BenchContext, withHost } from "./scenarios/bench-context.js";
import { digitsBench } from "./scenarios/digits.js";
import { latencyBench } from "./scenarios/latency.js";
import { memoryBench } from "./scenarios/memory.js";
import { overheadBench, prepareOverhead } from "./scenarios/overhead.js";
import { prepareTaxi, throughputBench } from "./scenarios/throughput.js";

/**
 * `npm run bench [-- --quick] [-- --profile]`: measures batchfn, run as users run it (the local host
 * in a child process, on an in-memory Azurite the bench starts, invoked over HTTP), against the
 * physical limit and a naive baseline; prints a table and writes bench/results/latest.json and
 * latest.svg (quick mode: <os tmp>/batchfn-bench-quick/, so nothing in the repository changes). `--profile` runs every
 * host with `--cpu-prof` and leaves the profiles in bench/results/profiles/.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, profile: { type: "boolean", default: false } },
  });
  const quick = values.quick ?? false;
  const started = performance.now();
  const machine = describeMachine();
  const profiles = join(repoRoot, "bench", "results", "profiles");
  const progress = (message: string) =>
    console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  if (machine.load_at_start > machine.cores / 2) {
    progress(
      `warning: load average ${machine.load_at_start} on ${machine.cores} cores: other work competes, figures will be lower`,
    );
  }
  const world = await startBenchWorld();
  const context: BenchContext = {
    world,
    quick,
    cores: machine.cores,
    hostNodeArgs: values.profile ? ["--cpu-prof", "--cpu-prof-dir", profiles] : [],
    progress,
  };
  let partial: Omit<BenchResults, "targets">;
  try {
    progress("registering the examples");
    const example = await prepareTaxi(context);
    await prepareOverhead(context);
    const throughput = await throughputBench(context, example);
    const memory = await memoryBench(context, example);
    const { latency, overhead, digits } = await withHost(context, async (host) => ({
      latency: await latencyBench(context, host, example),
      overhead: await overheadBench(context, host),
      digits: await digitsBench(context, host),
    }));
    const { rss_mb: rss1x, ...throughputFigures } = throughput;
    partial = {
      mode: quick ? "quick" : "full",
      date: new Date().toISOString(),
      bench_seconds: (performance.now() - started) / 1000,
      machine,
      throughput: throughputFigures,
      overhead,
      latency,
      memory: {
        rss_1x_mb: rss1x,
        rss_10x_mb: memory.rss_10x_mb,
        ratio_10x_to_1x: memory.rss_10x_mb / rss1x,
        rows_1x: throughput.rows,
        rows_10x: memory.rows_10x,
        rows_per_s_10x: memory.rows_per_s_10x,
      },
      digits,
    };
  } finally {
    await world.stop();
  }
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  const dir = quick ? join(tmpdir(), "batchfn-bench-quick") : join(repoRoot, "bench", "results");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(dir, "latest.svg"), resultsChart(results));
  console.log(`\n${resultsTable(results)}\n`);
  console.log(
    `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory_gb} GB, Node ${machine.node}`,
  );
  console.log(
    `written: ${join(dir, "latest.json")}, ${join(dir, "latest.svg")} (${results.bench_seconds.toFixed(0)} s)`,
  );
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
