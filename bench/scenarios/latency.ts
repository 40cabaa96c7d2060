import type { HostProcess } from "../harness/host-process.js";
import { type BenchContext, median } from "./bench-context.js";
import { runMeasuredJob } from "./measured-job.js";

export interface LatencyResult {
  /** Median over the warm runs: invocation → first mini-batch scored (its part record written). */
  first_minibatch_s: number;
  /** Median over the warm runs: invocation → the job `Completed`. */
  one_file_job_s: number;
  /** The same for the first job of a fresh host (scoring workers and model not loaded yet). */
  cold_first_minibatch_s: number;
  cold_one_file_job_s: number;
  warm_runs: number;
}

/**
 * A one-file job of the taxi deployment (one CSV of the example, ~300 rows), first on a fresh
 * host (cold: the scoring workers start and load the model), then `runs` times on the warm host.
 */
export async function latencyBench(
  context: BenchContext,
  host: HostProcess,
  exampleFolder: string,
): Promise<LatencyResult> {
  const body = { input: `${exampleFolder}taxi-tip-01.csv`, input_type: "uri_file" };
  const once = () =>
    runMeasuredJob(context, host, { endpoint: "taxi-tip", body, pollMs: 20, firstMiniBatch: true });
  context.progress("latency: a one-file job on a fresh host, then warm");
  const cold = await once();
  const runs = context.quick ? 3 : 7;
  const warm = [];
  for (let run = 0; run < runs; run++) warm.push(await once());
  return {
    first_minibatch_s: median(warm.map((job) => job.firstMiniBatchSeconds ?? Number.NaN)),
    one_file_job_s: median(warm.map((job) => job.seconds)),
    cold_first_minibatch_s: cold.firstMiniBatchSeconds ?? Number.NaN,
    cold_one_file_job_s: cold.seconds,
    warm_runs: runs,
  };
}
