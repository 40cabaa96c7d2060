import { setTimeout as sleep } from "node:timers/promises";
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";

/** What the bench reads of a job resource (GET /api/jobs/{job}). */
export const jobViewSchema = z.object({
  name: z.string(),
  status: z.string(),
  created_at: z.string().optional(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  message: z.string().optional(),
  progress: z
    .object({
      mini_batches: z.object({ total: z.number(), succeeded: z.number(), failed: z.number() }),
      items: z.object({ total: z.number(), succeeded: z.number(), failed: z.number() }),
      rows: z.number(),
    })
    .optional(),
});
export type JobView = z.infer<typeof jobViewSchema>;

/** A job the bench started, with the moment (bench clock, epoch ms) just before the invocation. */
export interface InvokedJob {
  name: string;
  url: string;
  invokedAt: number;
  /** The key the job's API calls authenticate with. */
  key: string;
}

/** A finished job and how long it took from invocation to its end. */
export interface FinishedJob {
  view: JobView;
  /** Invocation → terminal status, in seconds (the job's `finished_at`, written by the host). */
  seconds: number;
}

/**
 * Invokes a batch endpoint over HTTP (POST /api/batch-endpoints/{endpoint}/jobs), authenticated
 * with `key` (`x-functions-key`).
 */
export async function invokeJob(
  hostUrl: string,
  key: string,
  endpoint: string,
  body: Record<string, unknown>,
): Promise<InvokedJob> {
  const invokedAt = Date.now();
  const response = await fetch(`${hostUrl}/api/batch-endpoints/${endpoint}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": key },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`invoke ${endpoint} answered ${response.status}: ${text}`);
  const view = jobViewSchema.parse(JSON.parse(text));
  return { name: view.name, url: `${hostUrl}/api/jobs/${encodeURIComponent(view.name)}`, invokedAt, key };
}

/**
 * Polls a job every `pollMs` until it ends; throws unless it ended `Completed` with no failed item.
 * A poll that fails or takes over a minute is tried again (the job's own clock times it anyway).
 */
export async function waitForJob(
  job: InvokedJob,
  pollMs: number,
  timeoutMs = 1_800_000,
): Promise<FinishedJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await poll(job);
    if (!view) {
      if (Date.now() > deadline) throw new Error(`job ${job.name}: its status could not be read in time`);
      await sleep(pollMs);
      continue;
    }
    if (["Completed", "Failed", "Canceled"].includes(view.status)) {
      const seenAt = Date.now();
      if (view.status !== "Completed" || (view.progress?.items.failed ?? 0) > 0) {
        throw new Error(
          `job ${job.name} ended ${view.status}: ${view.message ?? JSON.stringify(view.progress)}`,
        );
      }
      const finishedAt = view.finished_at ? Date.parse(view.finished_at) : seenAt;
      return { view, seconds: (Math.min(finishedAt, seenAt) - job.invokedAt) / 1000 };
    }
    if (Date.now() > deadline)
      throw new Error(`job ${job.name} did not end in time: ${JSON.stringify(view)}`);
    await sleep(pollMs);
  }
}

/** The job's view; undefined when the host did not answer (network error, or no answer within a minute). */
async function poll(job: InvokedJob): Promise<JobView | undefined> {
  let response: Response;
  try {
    response = await fetch(job.url, {
      headers: { "x-functions-key": job.key },
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    return undefined;
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${job.url} answered ${response.status}: ${text}`);
  return jobViewSchema.parse(JSON.parse(text));
}

/**
 * Seconds from the invocation until the job staged its first output, i.e. until its first
 * mini-batch was scored and its rows staged: a blob under the job's default output folder
 * (`batchfn-outputs/<job>/` of the data container) holds uncommitted blocks. (Part records are
 * written once a range of mini-batches ended, so they no longer mark the first one.) Polls every
 * `pollMs`.
 */
export async function waitForFirstStaged(
  data: ContainerClient,
  job: InvokedJob,
  pollMs: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const prefix = `batchfn-outputs/${job.name}/`;
  for (;;) {
    for await (const _blob of data.listBlobsFlat({ prefix, includeUncommitedBlobs: true })) {
      return (Date.now() - job.invokedAt) / 1000;
    }
    if (Date.now() > deadline) throw new Error(`job ${job.name} scored no mini-batch in time`);
    await sleep(pollMs);
  }
}
