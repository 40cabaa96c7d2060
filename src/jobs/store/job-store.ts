import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { errors } from "../../errors.js";
import { resolvedInputSchema } from "../../io/inputs/resolved-input.js";
import { mapLimited } from "../../io/map-limited.js";
import { outputTargetSchema } from "../../io/output/output-target.js";
import { type JobSpec, jobSpecSchema } from "../job-spec.js";
import {
  type PlanManifest,
  type PlanPage,
  planBlobs,
  planManifestSchema,
  planPageSchema,
  planRefSchema,
} from "../plan/plan-schema.js";
import { blobJobDocuments, type JobDocuments, memoryJobDocuments } from "./job-documents.js";

/**
 * A job's own documents, beside its range records of parts and log: `<job>/spec.json` (written once at
 * invocation), `<job>/prepared.json` (written by planning: the plan reference, the output target,
 * the input as named), `<job>/cancel-requested`, and the plan (`planBlobs`).
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
  /** The job's other data inputs, listed when it was planned (each instance downloads them once). */
  inputs: z.record(z.string(), resolvedInputSchema).optional(),
});
export type PreparedJob = z.infer<typeof preparedJobSchema>;

/**
 * A job's cancel request, written once by the first `POST /api/jobs/{job}/cancel`: when, and by
 * whom. Every instance running the job's mini-batches watches it (`activities/cancel-watch.ts`), so
 * it reaches them wherever they run, without going through the orchestration.
 */
export const cancelRequestSchema = z.object({
  requested_at: z.string(),
  /** Who asked, as a person reads it: "the admin key", "a key of endpoint 'x'"... never a secret. */
  requested_by: z.string(),
});
export type CancelRequest = z.infer<typeof cancelRequestSchema>;

/**
 * What the jobs API and the activities keep of each job in the jobs container: its spec, its
 * prepared plan and output target, its cancel request, its plan's manifest and pages. Every read is
 * parsed by its schema (a document that does not parse is `CorruptRecord`).
 */
export interface JobStore {
  /** Tells stores apart (the plan cache keys on it). */
  readonly id: string;
  /** Writes a job's spec once; a second job of the same name is refused (`AlreadyExists`). */
  saveSpec(spec: JobSpec): Promise<void>;
  /** The job's spec; `NotFound` when there is none. */
  loadSpec(job: string): Promise<JobSpec>;
  savePrepared(job: string, prepared: PreparedJob): Promise<void>;
  /** The job's prepared plan; `undefined` before planning. */
  loadPrepared(job: string): Promise<PreparedJob | undefined>;
  /**
   * Asks a running job to stop. The first request is kept: returns the request that holds and
   * whether it is this one.
   */
  requestCancel(job: string, request: CancelRequest): Promise<{ request: CancelRequest; first: boolean }>;
  /** The job's cancel request; `undefined` when none was made. */
  readCancelRequest(job: string): Promise<CancelRequest | undefined>;
  /** Whether a cancel was asked (one read, no body). */
  isCancelRequested(job: string): Promise<boolean>;
  /** Writes a plan: its pages first (4 at once), then the manifest that names them. */
  savePlan(manifest: PlanManifest, pages: readonly PlanPage[]): Promise<void>;
  /** A plan's manifest as stored; `CorruptRecord` when missing or not a plan. */
  loadPlanManifest(job: string): Promise<PlanManifest>;
  loadPlanPage(job: string, planId: string, page: number): Promise<PlanPage>;
}

/** The store in the jobs container (today's layout, one blob per document). */
export function blobJobStore(jobs: ContainerClient): JobStore {
  return createJobStore(blobJobDocuments(jobs));
}

/** A store in this process's memory, for tests of the activities without a storage emulator. */
export function memoryJobStore(): JobStore & { documents: ReturnType<typeof memoryJobDocuments> } {
  const documents = memoryJobDocuments();
  return { ...createJobStore(documents), documents };
}

/** The store over any {@link JobDocuments}: names, schemas and errors are the same for all. */
export function createJobStore(documents: JobDocuments): JobStore {
  const writeJson = (name: string, value: unknown) =>
    documents.write(name, JSON.stringify(value), { json: true });
  return {
    id: documents.id,
    async saveSpec(spec) {
      await documents.ensure();
      const created = await documents.write(jobBlobs.spec(spec.name), JSON.stringify(spec), {
        createOnly: true,
        json: true,
      });
      if (!created) throw errors.alreadyExists("Job", spec.name);
    },
    async loadSpec(job) {
      const spec = await readJobFile(documents, jobBlobs.spec(job), jobSpecSchema);
      if (!spec) throw errors.notFound("Job", job);
      return spec;
    },
    async savePrepared(job, prepared) {
      await documents.write(jobBlobs.prepared(job), JSON.stringify(prepared));
    },
    loadPrepared: (job) => readJobFile(documents, jobBlobs.prepared(job), preparedJobSchema),
    async requestCancel(job, request) {
      const body = JSON.stringify(cancelRequestSchema.parse(request));
      if (await documents.write(jobBlobs.cancel(job), body, { createOnly: true, json: true }))
        return { request, first: true };
      return { request: (await readCancelRequest(documents, job)) ?? request, first: false };
    },
    readCancelRequest: (job) => readCancelRequest(documents, job),
    isCancelRequested: (job) => documents.exists(jobBlobs.cancel(job)),
    async savePlan(manifest, pages) {
      await documents.ensure();
      await mapLimited(pages, 4, (page) =>
        writeJson(planBlobs.page(manifest.job, manifest.planId, page.page), page),
      );
      await writeJson(planBlobs.manifest(manifest.job), manifest);
    },
    loadPlanManifest: (job) => readPlanFile(documents, planBlobs.manifest(job), planManifestSchema),
    loadPlanPage: (job, planId, page) =>
      readPlanFile(documents, planBlobs.page(job, planId, page), planPageSchema),
  };
}

/** A cancel request; one an earlier batchfn wrote empty was made by someone, some time, unknown. */
async function readCancelRequest(documents: JobDocuments, job: string): Promise<CancelRequest | undefined> {
  const text = await documents.read(jobBlobs.cancel(job));
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = cancelRequestSchema.safeParse(value);
  return parsed.success
    ? parsed.data
    : { requested_at: "an unknown time", requested_by: "an unknown caller" };
}

/** Reads a job's JSON document; `undefined` when it does not exist. */
async function readJobFile<S extends z.ZodType>(
  documents: JobDocuments,
  name: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  const text = await documents.read(name);
  if (text === undefined) return undefined;
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw errors.corruptRecord(`Job file '${name}' is not valid: ${parsed.error.message}`);
  return parsed.data;
}

async function readPlanFile<T>(documents: JobDocuments, name: string, schema: z.ZodType<T>): Promise<T> {
  const text = await documents.read(name);
  if (text === undefined)
    throw errors.corruptRecord(`Plan blob '${name}' is missing from the jobs container.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.corruptRecord(`Plan blob '${name}' is not valid JSON.`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw errors.corruptRecord(
      `Plan blob '${name}' is not a valid plan.`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  return parsed.data;
}
