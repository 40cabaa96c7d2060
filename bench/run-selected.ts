import { mkdir, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchContext, inFreshWorld } from "./scenarios/bench-context.js";
import { cliStartupBench } from "./scenarios/cli-startup.js";
import { digitsBench } from "./scenarios/digits.js";
import type { ItemCost } from "./scenarios/item-cost.js";
import { memoryBench } from "./scenarios/memory.js";
import { overheadRuns, SWEEP, type SweepKey } from "./scenarios/overhead.js";
import { pythonBench } from "./scenarios/python.js";
import { storageProbe } from "./scenarios/storage-probe.js";
import { throughputBench } from "./scenarios/throughput.js";

/** The scenarios `--only` can name; `overhead-2000` is one size of the sweep. */
export const SELECTABLE = [
  "storage",
  "throughput",
  "memory",
  "overhead",
  ...SWEEP.map((key) => `overhead-${key}` as const),
  "digits",
  "python",
  "cli",
] as const;

/**
 * `npm run bench -- --only throughput,overhead-2000 [--quick]`: runs the named scenarios alone,
 * each on a fresh Azurite and host, prints each one's figures as JSON (with a line of its cost per
 * item and the load average) and writes them to `<os tmp>/batchfn-bench-only/<scenario>.json`. For
 * before/after measurements of one change; the repository's results are not touched.
 */
export async function runSelected(options: Omit<BenchContext, "world">, names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(SELECTABLE as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${SELECTABLE.join(", ")}`);
  const dir = join(tmpdir(), "batchfn-bench-only");
  await mkdir(dir, { recursive: true });
  for (const name of names) {
    const loadBefore = loadavg()[0] ?? 0;
    const figures = await inFreshWorld(options, (context) => scenario(context, name));
    const file = join(dir, `${name}.json`);
    const record = { scenario: name, date: new Date().toISOString(), load_before: loadBefore, figures };
    await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(JSON.stringify(record, null, 2));
    for (const [where, cost] of costs(figures)) console.log(`${name} ${where}: ${costLine(cost)}`);
    console.log(
      `${name}: load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after; written ${file}`,
    );
  }
}

function scenario(context: BenchContext, name: string): Promise<unknown> {
  switch (name) {
    case "storage":
      return storageProbe(context);
    case "throughput":
      return throughputBench(context);
    case "memory":
      return memoryBench(context);
    case "overhead":
      return overheadRuns(context, SWEEP).then(summariseSweep);
    case "digits":
      return digitsBench(context);
    case "python":
      return pythonBench(context);
    case "cli":
      return cliStartupBench(context);
    default:
      return overheadRuns(context, [name.replace("overhead-", "") as SweepKey]).then(summariseSweep);
  }
}

function summariseSweep(runs: Awaited<ReturnType<typeof overheadRuns>>) {
  return runs.map((run) => ({
    mini_batches: run.miniBatches,
    seconds: run.job.seconds,
    ms_per_minibatch: (1000 * run.job.seconds) / run.miniBatches,
    host_cpu_ms_per_minibatch: ((run.job.usage.hostCpuSeconds ?? Number.NaN) * 1000) / run.miniBatches,
    azurite_cpu_ms_per_minibatch: ((run.job.usage.azuriteCpuSeconds ?? Number.NaN) * 1000) / run.miniBatches,
    requests_per_minibatch: (run.job.requests ?? Number.NaN) / run.miniBatches,
    requests_by_kind: run.job.requestKinds,
    load: run.job.usage.load,
  }));
}

/** Every `cost` object in a scenario's figures, with where it was found. */
function costs(value: unknown, path = ""): Array<[string, ItemCost]> {
  if (typeof value !== "object" || value === null) return [];
  const found: Array<[string, ItemCost]> = [];
  for (const [key, child] of Object.entries(value)) {
    const where = path ? `${path}.${key}` : key;
    if (key.startsWith("cost") && typeof child === "object" && child !== null && "item" in child) {
      found.push([where, child as ItemCost]);
    } else found.push(...costs(child, where));
  }
  return found;
}

function costLine(cost: ItemCost): string {
  const loop =
    cost.baseline_cpu_us_per_item === undefined ? "" : `, loop ${cost.baseline_cpu_us_per_item.toFixed(2)}`;
  return `host ${cost.host_cpu_us_per_item.toFixed(2)} (main thread ${cost.host_main_thread_cpu_us_per_item.toFixed(2)}) + Azurite ${cost.azurite_cpu_us_per_item.toFixed(2)} µs CPU per ${cost.item}${loop}; ${cost.requests_per_minibatch.toFixed(2)} requests per mini-batch (${cost.mini_batches} mini-batches)`;
}
