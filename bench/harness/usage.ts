import { loadavg } from "node:os";
import { cpuSeconds, mainThreadCpuSeconds, treeCpuSeconds } from "./process-cpu.js";

/** What the machine spent on one measured run. */
export interface Usage {
  wallSeconds: number;
  /**
   * CPU seconds of the app's host process (all its threads: the scoring workers are threads) and of
   * the processes it started (the Python pool), when known: what the app costs, without storage.
   */
  hostCpuSeconds?: number;
  /** The part of it spent on the host's main thread (its event loop: orchestration, activities, storage calls). */
  hostMainThreadCpuSeconds?: number;
  /** CPU seconds of Azurite, when known. */
  azuriteCpuSeconds?: number;
  /** 1-minute load average at the end: above the core count, other work competed for the CPU. */
  load: number;
}

/** Starts measuring wall time and the CPU time of the host and Azurite processes. */
export function measureUsage(pids: { host?: number; azurite?: number }): { stop(): Usage } {
  const startedAt = performance.now();
  const host0 = pids.host === undefined ? undefined : treeCpuSeconds(pids.host);
  const main0 = pids.host === undefined ? undefined : mainThreadCpuSeconds(pids.host);
  const azurite0 = pids.azurite === undefined ? undefined : cpuSeconds(pids.azurite);
  return {
    stop() {
      const host1 = pids.host === undefined ? undefined : treeCpuSeconds(pids.host);
      const main1 = pids.host === undefined ? undefined : mainThreadCpuSeconds(pids.host);
      const azurite1 = pids.azurite === undefined ? undefined : cpuSeconds(pids.azurite);
      return {
        wallSeconds: (performance.now() - startedAt) / 1000,
        hostCpuSeconds: host0 !== undefined && host1 !== undefined ? host1 - host0 : undefined,
        hostMainThreadCpuSeconds: main0 !== undefined && main1 !== undefined ? main1 - main0 : undefined,
        azuriteCpuSeconds: azurite0 !== undefined && azurite1 !== undefined ? azurite1 - azurite0 : undefined,
        load: loadavg()[0] ?? 0,
      };
    },
  };
}
