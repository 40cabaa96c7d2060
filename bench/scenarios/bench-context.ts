import { type BenchWorld, startBenchWorld } from "../harness/bench-world.js";
import { type HostProcess, startHost } from "../harness/host-process.js";

/** What every scenario gets: its storage, the mode and a progress printer. */
export interface BenchContext {
  world: BenchWorld;
  quick: boolean;
  cores: number;
  /** Node options for every host (e.g. `--cpu-prof` when profiling). */
  hostNodeArgs: string[];
  /** Azurite keeps its data on disk (a temporary folder) instead of in memory. */
  azuriteOnDisk?: boolean;
  /** A host the scenarios share instead of starting their own (quick mode). */
  host?: HostProcess;
  progress(message: string): void;
}

/**
 * Runs a scenario on an Azurite of its own, stopped afterwards. A fresh emulator per scenario keeps
 * each one short of Azurite's blob garbage collection, which runs 10 minutes after start and, in
 * memory, takes time quadratic in the number of blob writes so far (minutes after ~100,000
 * writes, with the emulator unresponsive meanwhile): an artefact of the emulator, not of batchfn.
 */
export async function inFreshWorld<T>(
  options: Omit<BenchContext, "world">,
  use: (context: BenchContext) => Promise<T>,
): Promise<T> {
  const world = await startBenchWorld({ onDisk: options.azuriteOnDisk });
  try {
    return await use({ ...options, world });
  } finally {
    await world.stop();
  }
}

/**
 * Runs `use` with a fresh host on the scenario's storage, and stops the host afterwards; with the
 * shared host of the context instead, unless `fresh` is asked for.
 */
export async function withHost<T>(
  context: BenchContext,
  use: (host: HostProcess) => Promise<T>,
  options: { fresh?: boolean } = {},
): Promise<T> {
  if (context.host && !options.fresh) return use(context.host);
  const host = await startHost({ settings: context.world.settings, nodeArgs: context.hostNodeArgs });
  try {
    return await use(host);
  } finally {
    await host.stop();
  }
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
