import type { BenchWorld } from "../harness/bench-world.js";
import { type HostProcess, startHost } from "../harness/host-process.js";

/** What every scenario gets: the shared storage, the mode and a progress printer. */
export interface BenchContext {
  world: BenchWorld;
  quick: boolean;
  cores: number;
  /** Node options for every host (e.g. `--cpu-prof` when profiling). */
  hostNodeArgs: string[];
  progress(message: string): void;
}

/** Runs `use` with a fresh host on the bench's storage, and stops the host afterwards. */
export async function withHost<T>(context: BenchContext, use: (host: HostProcess) => Promise<T>): Promise<T> {
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
