import type { HostProcess } from "../harness/host-process.js";
import {
  type FinishedJob,
  type InvokedJob,
  invokeJob,
  waitForFirstStaged,
  waitForJob,
} from "../harness/jobs-client.js";
import { measureUsage, type Usage } from "../harness/usage.js";
import type { BenchContext } from "./bench-context.js";

/** A job run by a scenario: how long it took and what the host and Azurite spent on it. */
export interface MeasuredJob extends FinishedJob {
  job: InvokedJob;
  usage: Usage;
  /** Invocation → first output staged, when asked for. */
  firstMiniBatchSeconds?: number;
  /** HTTP requests the host made while the job ran (storage round trips), when asked for. */
  requests?: number;
  /** The same by kind of request, when asked for. */
  requestKinds?: Record<string, number>;
}

export interface JobRequest {
  endpoint: string;
  body: Record<string, unknown>;
  /** Status polls while the job runs; its duration comes from the job's own `finished_at`. */
  pollMs?: number;
  /** Also time the first mini-batch (polls the output folder every 10 ms until a block is staged). */
  firstMiniBatch?: boolean;
  /** Also count the host's HTTP requests during the job. */
  countRequests?: boolean;
}

/** Invokes a job over HTTP, waits for it to complete, and measures it. */
export async function runMeasuredJob(
  context: BenchContext,
  host: HostProcess,
  request: JobRequest,
): Promise<MeasuredJob> {
  const before = request.countRequests ? await host.requestCounts() : undefined;
  const usage = measureUsage({ host: host.pid, azurite: context.world.azuritePid });
  const job = await invokeJob(host.url, context.world.adminKey, request.endpoint, request.body);
  const firstMiniBatchSeconds = request.firstMiniBatch
    ? await waitForFirstStaged(context.world.data, job, 10)
    : undefined;
  const finished = await waitForJob(job, request.pollMs ?? 250);
  const measured = usage.stop();
  const after = before === undefined ? undefined : await host.requestCounts();
  const requests = before && after ? after.total - before.total : undefined;
  const requestKinds = before && after ? difference(after.kinds, before.kinds) : undefined;
  return { ...finished, job, usage: measured, firstMiniBatchSeconds, requests, requestKinds };
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const entries = Object.entries(after).map(([kind, count]) => [kind, count - (before[kind] ?? 0)] as const);
  return Object.fromEntries(entries.filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]));
}
