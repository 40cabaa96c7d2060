import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { BatchfnError, errors } from "../../errors.js";
import { outputTargetSchema } from "../../io/output/output-target.js";
import { isConditionFailure, isNotFound } from "../../storage/storage-error.js";
import { type JobSpec, jobSpecSchema } from "../job-spec.js";
import { planRefSchema } from "../plan/plan-schema.js";

/**
 * A job's own small blobs in the jobs container, beside its plan, parts and log:
 * `<job>/spec.json` (written once at invocation), `<job>/prepared.json` (written by planning: the
 * plan reference, the output target, the input as named), `<job>/cancel-requested`.
 */
export const jobBlobs = {
  spec: (job: string) => `${job}/spec.json`,
  prepared: (job: string) => `${job}/prepared.json`,
  cancel: (job: string) => `${job}/cancel-requested`,
};

export const preparedJobSchema = z.object({
  plan: planRefSchema,
  target: outputTargetSchema,
  input: z.string(),
  planned_at: z.string(),
});
export type PreparedJob = z.infer<typeof preparedJobSchema>;

/** Writes a job's spec once; a second job of the same name is refused (`AlreadyExists`). */
export async function saveJobSpec(jobs: ContainerClient, spec: JobSpec): Promise<void> {
  await jobs.createIfNotExists();
  const body = JSON.stringify(spec);
  try {
    await jobs.getBlockBlobClient(jobBlobs.spec(spec.name)).upload(body, Buffer.byteLength(body), {
      conditions: { ifNoneMatch: "*" },
      blobHTTPHeaders: { blobContentType: "application/json" },
    });
  } catch (thrown) {
    if (isConditionFailure(thrown)) throw errors.alreadyExists("Job", spec.name);
    throw thrown;
  }
}

export async function savePreparedJob(
  jobs: ContainerClient,
  job: string,
  prepared: PreparedJob,
): Promise<void> {
  const body = JSON.stringify(prepared);
  await jobs.getBlockBlobClient(jobBlobs.prepared(job)).upload(body, Buffer.byteLength(body));
}

/** Reads a job's JSON blob; `undefined` when it does not exist. */
async function readJson<S extends z.ZodType>(
  jobs: ContainerClient,
  name: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  try {
    const text = (await jobs.getBlobClient(name).downloadToBuffer()).toString("utf8");
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw errors.corruptRecord(`Job file '${name}' is not valid: ${parsed.error.message}`);
    return parsed.data;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) throw thrown;
    if (isNotFound(thrown)) return undefined;
    throw thrown;
  }
}

export async function loadJobSpec(jobs: ContainerClient, job: string): Promise<JobSpec> {
  const spec = await readJson(jobs, jobBlobs.spec(job), jobSpecSchema);
  if (!spec) throw errors.notFound("Job", job);
  return spec;
}

export function loadPreparedJob(jobs: ContainerClient, job: string): Promise<PreparedJob | undefined> {
  return readJson(jobs, jobBlobs.prepared(job), preparedJobSchema);
}

/** Asks a running job to stop starting mini-batches. */
export async function requestCancel(jobs: ContainerClient, job: string): Promise<void> {
  await jobs.getBlockBlobClient(jobBlobs.cancel(job)).upload("", 0);
}

export async function isCancelRequested(jobs: ContainerClient, job: string): Promise<boolean> {
  return jobs.getBlobClient(jobBlobs.cancel(job)).exists();
}

/** Whether a job was asked to stop, as one instance sees it (see {@link cancelWatch}). */
export interface CancelWatch {
  isRequested(job: string): Promise<boolean>;
  /** Drops what is known of a job (it ended). */
  forget(job: string): void;
}

/**
 * Checks a job's cancel request at most once per `intervalMs` on this instance, instead of once per
 * mini-batch: a cancel then stops new mini-batches within `intervalMs`. A job seen canceled stays
 * canceled; a failed check is not kept.
 */
export function cancelWatch(jobs: ContainerClient, intervalMs = 1000): CancelWatch {
  const checks = new Map<string, { at: number; requested: Promise<boolean> }>();
  return {
    isRequested(job) {
      const now = Date.now();
      const last = checks.get(job);
      if (last && now - last.at < intervalMs) return last.requested;
      const requested = last
        ? last.requested.then((seen) => seen || isCancelRequested(jobs, job))
        : isCancelRequested(jobs, job);
      const check = { at: now, requested };
      checks.set(job, check);
      requested.catch(() => {
        if (checks.get(job) === check) checks.delete(job);
      });
      return requested;
    },
    forget(job) {
      checks.delete(job);
    },
  };
}
