import type { CliStartupResult } from "../scenarios/cli-startup.js";
import type { DigitsResult } from "../scenarios/digits.js";
import type { ItemCost } from "../scenarios/item-cost.js";
import type { LatencyResult } from "../scenarios/latency.js";
import type { OverheadResult } from "../scenarios/overhead.js";
import type { PythonResult } from "../scenarios/python.js";
import type { RequestCost, StorageProbeResult } from "../scenarios/storage-probe.js";
import type { ThroughputResult } from "../scenarios/throughput.js";
import type { Machine } from "./machine.js";

/** One target of the performance issue, checked against a run (`checkTargets`, targets.ts). */
export interface TargetCheck {
  /** A stable key the table refers to. */
  key: TargetKey;
  name: string;
  value: number;
  /** How the target reads, e.g. "≥ 1.2". */
  target: string;
  met: boolean;
}

export type TargetKey =
  | "throughput_ratio_baseline"
  | "throughput_host_cpu_per_row"
  | "digits_ratio_baseline"
  | "overhead_ms"
  | "overhead_requests"
  | "overhead_growth"
  | "first_minibatch"
  | "one_file_job"
  | "memory_growth"
  | "cli_help"
  | "cli_show"
  | "bench_duration";

/** bench/results/latest.json: every figure of one run (the keys, and more). */
export interface BenchResults {
  mode: "full" | "quick";
  date: string;
  /** Wall time of the whole bench, data generation included. */
  bench_seconds: number;
  machine: Machine;
  throughput: Omit<ThroughputResult, "rss_mb">;
  overhead: OverheadResult;
  latency: LatencyResult;
  memory: {
    rss_1x_mb: number;
    rss_10x_mb: number;
    ratio_10x_to_1x: number;
    rows_1x: number;
    rows_10x: number;
    rows_per_s_10x: number;
    /** Cost per row of the 10× job. */
    cost_10x: ItemCost;
  };
  digits: Omit<DigitsResult, "ratio_baseline"> & { ratio_baseline: number };
  /** The Python runtime: a no-code MLflow sklearn model and a Python scoring script, against plain Python loops. */
  python: PythonResult;
  /** The installed CLI's start-up: `--help` and a `show` against the local host, beside `node -e 0`. */
  cli: CliStartupResult;
  /** What one storage round trip costs on this machine, by kind and on average. */
  storage: StorageProbeResult & { mean: RequestCost };
  targets: TargetCheck[];
}
