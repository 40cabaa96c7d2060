import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/** The machine a run was measured on. */
export interface Machine {
  cores: number;
  memory_gb: number;
  node: string;
  cpu: string;
  platform: string;
  /** 1-minute load average when the run started: above 0.5 × cores, other work shared the CPU. */
  load_at_start: number;
}

export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    platform: `${process.platform} ${process.arch}`,
    load_at_start: loadavg()[0] ?? 0,
  };
}
