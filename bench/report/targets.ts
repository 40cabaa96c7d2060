import type { BenchResults } from "./results.js";

/** One target of issue "Step 7", checked against a run. */
export interface TargetCheck {
  name: string;
  value: number;
  /** How the target reads, e.g. "≥ 0.8". */
  target: string;
  met: boolean;
}

/** The targets of the issue, in its order. */
export function checkTargets(results: Omit<BenchResults, "targets">): TargetCheck[] {
  const { throughput, overhead, latency, memory } = results;
  const atLeast = (name: string, value: number, bound: number) => ({
    name,
    value,
    target: `≥ ${bound}`,
    met: value >= bound,
  });
  const atMost = (name: string, value: number, bound: number) => ({
    name,
    value,
    target: `≤ ${bound}`,
    met: value <= bound,
  });
  return [
    atLeast("throughput batchfn / limit", throughput.ratio_limit, 0.8),
    atLeast("throughput batchfn / naive baseline", throughput.ratio_baseline, 1.8),
    atMost("overhead ms per mini-batch", overhead.ms_per_minibatch, 5),
    atMost("overhead 8000 / 500 mini-batches", overhead.ratio_8000_to_500, 20),
    atMost("latency invoke → first mini-batch (s)", latency.first_minibatch_s, 1),
    atMost("latency one-file job complete (s)", latency.one_file_job_s, 2),
    atMost("memory peak RSS 10× / 1×", memory.ratio_10x_to_1x, 1.2),
  ];
}
