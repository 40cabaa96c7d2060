import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBenchWorld } from "./harness/bench-world.js";
import { repoRoot, startHost } from "./harness/host-process.js";
import { resultsChart } from "./report/chart.js";
import { describeMachine } from "./report/machine.js";
import { missingKeys } from "./report/required-keys.js";
import type { BenchResults } from "./report/results.js";
import { resultsTable } from "./report/table.js";
import { checkTargets } from "./report/targets.js";
import { runSelected } from "./run-selected.js";
import { type BenchContext, inFreshWorld } from "./scenarios/bench-context.js";
import { cliStartupBench } from "./scenarios/cli-startup.js";
import { digitsBench } from "./scenarios/digits.js";
import { memoryBench } from "./scenarios/memory.js";
import { type OverheadRun, overheadResult, overheadRuns, SWEEP } from "./scenarios/overhead.js";
import { pythonBench } from "./scenarios/python.js";
import { meanRequestCost, storageProbe } from "./scenarios/storage-probe.js";
import { throughputBench } from "./scenarios/throughput.js";

/**
 * `npm run bench [-- --quick] [-- --profile] [-- --azurite-on-disk] [-- --only a,b]`: measures batchfn, run as users run it (the local host
 * in a child process, on an in-memory Azurite the bench starts, invoked over HTTP), against the
 * physical limit and a naive baseline; prints a table and writes bench/results/latest.json and
 * latest.svg (quick mode: <os tmp>/batchfn-bench-quick/, so nothing in the repository changes).
 * Every scenario runs on a host of its own. `--profile` runs every host with
 * `--cpu-prof` and leaves the profiles in bench/results/profiles/. `--azurite-on-disk` runs Azurite
 * with its data in a temporary folder instead of in memory. `--only` runs the named scenarios
 * alone (see run-selected.ts).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "azurite-on-disk": { type: "boolean", default: false },
      only: { type: "string" },
    },
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
  const options = {
    quick,
    cores: machine.cores,
    hostNodeArgs: values.profile ? ["--cpu-prof", "--cpu-prof-dir", profiles] : [],
    azuriteOnDisk: values["azurite-on-disk"] ?? false,
    progress,
  };
  if (values.only !== undefined) {
    await runSelected(
      options,
      values.only.split(",").map((name) => name.trim()),
    );
    return;
  }
  const figures = await runScenarios(options);
  const { rss_mb: rss1x, ...throughputFigures } = figures.throughput;
  const partial: Omit<BenchResults, "targets"> = {
    mode: quick ? "quick" : "full",
    date: new Date().toISOString(),
    bench_seconds: (performance.now() - started) / 1000,
    machine,
    throughput: throughputFigures,
    overhead: overheadResult(figures.sweep, machine.cores),
    latency: figures.latency,
    memory: {
      rss_1x_mb: rss1x,
      rss_10x_mb: figures.memory.rss_10x_mb,
      ratio_10x_to_1x: figures.memory.rss_10x_mb / rss1x,
      rows_1x: figures.throughput.rows,
      rows_10x: figures.memory.rows_10x,
      rows_per_s_10x: figures.memory.rows_per_s_10x,
      cost_10x: figures.memory.cost,
    },
    digits: figures.digits,
    python: figures.python,
    cli: figures.cli,
    storage: { ...figures.storage, mean: meanRequestCost(figures.storage) },
  };
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
  const missing = missingKeys(results);
  if (missing.length > 0) throw new Error(`the results lack required figures:\n${missing.join("\n")}`);
}

/**
 * Runs every scenario: each on an Azurite and a host of its own (see `inFreshWorld`), and each size
 * of the overhead sweep too; quick mode shares one Azurite and one host (but the 10× memory run)
 * to save the starts.
 */
async function runScenarios(options: Omit<BenchContext, "world">) {
  const shared = options.quick ? await startBenchWorld({ onDisk: options.azuriteOnDisk }) : undefined;
  const host = shared
    ? await startHost({ settings: shared.settings, nodeArgs: options.hostNodeArgs })
    : undefined;
  const fresh = <T>(scenario: (context: BenchContext) => Promise<T>) =>
    shared ? scenario({ ...options, world: shared, host }) : inFreshWorld(options, scenario);
  try {
    const storage = await fresh(storageProbe);
    const { throughput, latency } = await fresh(throughputBench);
    const memory = await fresh(memoryBench);
    const sweep: OverheadRun[] = [];
    if (shared) sweep.push(...(await fresh((context) => overheadRuns(context, SWEEP))));
    else for (const key of SWEEP) sweep.push(...(await fresh((context) => overheadRuns(context, [key]))));
    const digits = await fresh(digitsBench);
    const python = await fresh(pythonBench);
    const cli = await fresh(cliStartupBench);
    return { storage, throughput, latency, memory, sweep, digits, python, cli };
  } finally {
    await host?.stop();
    await shared?.stop();
  }
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
