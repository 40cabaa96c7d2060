import type { BenchResults, TargetCheck, TargetKey } from "./results.js";

/**
 * The targets of issue 18 (and those met before it, which must not get worse), in its order. A
 * figure that could not be measured (NaN) does not meet its target.
 */
export function checkTargets(results: Omit<BenchResults, "targets">): TargetCheck[] {
  const { throughput, overhead, latency, memory, digits, cli } = results;
  const atLeast = (key: TargetKey, name: string, value: number, bound: number): TargetCheck => ({
    key,
    name,
    value,
    target: `≥ ${bound}`,
    met: value >= bound,
  });
  const atMost = (key: TargetKey, name: string, value: number, bound: number): TargetCheck => ({
    key,
    name,
    value,
    target: `≤ ${bound}`,
    met: value <= bound,
  });
  const cost = throughput.cost;
  return [
    atLeast(
      "throughput_ratio_baseline",
      "throughput batchfn / naive baseline",
      throughput.ratio_baseline,
      1.2,
    ),
    atMost(
      "throughput_host_cpu_per_row",
      "throughput host CPU per row / naive loop's",
      cost.host_cpu_us_per_item / (cost.baseline_cpu_us_per_item ?? Number.NaN),
      1,
    ),
    atLeast("digits_ratio_baseline", "digits batchfn / single-process loop", digits.ratio_baseline, 0.3),
    atMost("overhead_ms", "overhead ms per mini-batch", overhead.ms_per_minibatch, 8),
    atMost(
      "overhead_requests",
      "overhead storage requests per mini-batch",
      overhead.requests_per_minibatch ?? Number.NaN,
      2,
    ),
    atMost("overhead_growth", "overhead 8000 / 500 mini-batches", overhead.ratio_8000_to_500, 20),
    atMost("first_minibatch", "latency invoke → first mini-batch (s)", latency.first_minibatch_s, 1),
    atMost("one_file_job", "latency one-file job complete (s)", latency.one_file_job_s, 2),
    atMost("memory_growth", "memory peak RSS 10× / 1×", memory.ratio_10x_to_1x, 1.2),
    atMost("cli_help", "CLI start-up: batchfn --help (s)", cli.help_s, 0.5),
    atMost("cli_show", "CLI: batchfn batch-endpoint show on the local host (s)", cli.show_s, 1),
    atMost("bench_duration", "whole bench (s)", results.bench_seconds, 600),
  ];
}
