import type { HostProcess } from "../harness/host-process.js";
import { type BenchContext, median } from "./bench-context.js";
import { type MeasuredJob, runMeasuredJob } from "./measured-job.js";

export interface LatencyResult {
  /** Median over the warm runs: invocation → first mini-batch scored (its output block staged). */
  first_minibatch_s: number;
  /** Median over the warm runs: invocation → the job `Completed`. */
  one_file_job_s: number;
  /** The same for the first job of a fresh host (scoring workers and model not loaded yet). */
  cold_first_minibatch_s: number;
  cold_one_file_job_s: number;
  warm_runs: number;
}

/**
 * A one-file job of the taxi deployment (one CSV of the example, ~300 rows), timed to its first
 * mini-batch and to `Completed`. The first one on a fresh host is the cold case (the scoring
 * workers start and load the model); it is also every taxi host's warm-up.
 */
export function oneFileJob(
  context: BenchContext,
  host: HostProcess,
  exampleFolder: string,
): Promise<MeasuredJob> {
  return runMeasuredJob(context, host, {
    endpoint: "taxi-tip",
    body: { input: `${exampleFolder}taxi-tip-01.csv`, input_type: "uri_file" },
    pollMs: 20,
    firstMiniBatch: true,
  });
}

/** Warm one-file jobs on a host that already ran one; the latency figures with the cold run. */
export async function latencyRuns(
  context: BenchContext,
  host: HostProcess,
  exampleFolder: string,
  cold: MeasuredJob,
): Promise<LatencyResult> {
  const runs = context.quick ? 2 : 7;
  context.progress(`latency: ${runs} one-file jobs on the warm host`);
  const warm: MeasuredJob[] = [];
  for (let run = 0; run < runs; run++) warm.push(await oneFileJob(context, host, exampleFolder));
  return {
    first_minibatch_s: median(warm.map((job) => job.firstMiniBatchSeconds ?? Number.NaN)),
    one_file_job_s: median(warm.map((job) => job.seconds)),
    cold_first_minibatch_s: cold.firstMiniBatchSeconds ?? Number.NaN,
    cold_one_file_job_s: cold.seconds,
    warm_runs: runs,
  };
}
