import { BatchfnError, errors } from "../errors.js";
import type { JobLabels } from "../spec/job.schema.js";
import type { JobRunner } from "./job-runner.js";
import type { JobSpec } from "./job-spec.js";
import { DEFAULT_CHUNK_SIZE, type ScoringJobInput } from "./orchestration/contract.js";
import type { ClaimedOutput, JobOrigin, OutputFolders } from "./output-folders.js";
import type { JobRecord, JobRecords } from "./records/job-records.js";
import type { JobStore } from "./store/job-store.js";

export interface SubmitJobOptions {
  spec: JobSpec;
  /** `Idempotency-Key` of the invocation: the same key on the same endpoint returns the same job. */
  idempotencyKey?: string;
  /** Display form of the input, as the caller named it. */
  input: string;
  /** `display_name`, `experiment_name` and `tags` the invocation gave the job. */
  labels?: JobLabels;
  /** Who starts the job (decides whether it may write to the outbox); default `invoke`. */
  origin?: JobOrigin;
  chunkSize?: number;
}

export interface SubmitJobDeps {
  store: JobStore;
  outputs: OutputFolders;
  records: JobRecords;
  runner: JobRunner;
}

/**
 * Starts a job once: a repeated invocation with the same job name or idempotency key returns the
 * job that exists and starts nothing new. Order: claim the key, claim the output folder (every
 * check of where the job may write happens there, once), write the spec (create-only) with the
 * folder's location, the record, then start the orchestration, whose instance id is the job's name.
 */
export async function submitJob(
  options: SubmitJobOptions,
  deps: SubmitJobDeps,
): Promise<{ record: JobRecord; created: boolean }> {
  const { spec } = options;
  const endpointId = spec.endpoint_id ?? spec.endpoint_name;
  if (options.idempotencyKey) {
    const holder = await deps.records.claimKey(endpointId, options.idempotencyKey, spec.name);
    if (holder !== spec.name) return { record: await existing(deps, holder, spec), created: false };
  }
  const already = await deps.records.get(spec.name);
  if (already) return { record: sameEndpoint(already, spec), created: false };
  const output = await deps.outputs.claim(spec, options.origin ?? "invoke");
  try {
    await deps.store.saveSpec(claimedSpec(spec, output));
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "AlreadyExists") {
      return { record: await existing(deps, spec.name, spec), created: false };
    }
    await output.release();
    throw thrown;
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const record = await deps.records.create({
    name: spec.name,
    endpoint_name: spec.endpoint_name,
    endpoint_id: spec.endpoint_id,
    deployment_name: spec.deployment_name,
    status: "NotStarted",
    created_at: spec.created_at,
    input: options.input,
    output_path: spec.output.path,
    output_file_name: spec.settings.output_file_name,
    chunk_size: chunkSize,
    idempotency_key: options.idempotencyKey,
    ...(spec.outputs
      ? { named_outputs: Object.fromEntries(Object.entries(output.named).map(([n, l]) => [n, l.display])) }
      : {}),
    ...(spec.rerun_of ? { rerun_of: spec.rerun_of.job } : {}),
    ...options.labels,
  });
  await deps.runner.start(orchestrationInput(spec, chunkSize));
  return { record, created: true };
}

/** The spec as stored: with the folders its outputs resolved to when they were claimed. */
function claimedSpec(spec: JobSpec, output: ClaimedOutput): JobSpec {
  const outputs =
    spec.outputs &&
    Object.fromEntries(
      Object.entries(spec.outputs).map(([name, named]) => [name, { ...named, location: output.named[name] }]),
    );
  return { ...spec, output: { ...spec.output, location: output.location }, ...(outputs ? { outputs } : {}) };
}

/**
 * Mini-batches scheduled per scoring worker in one wave. More than one keeps every worker busy while
 * the next mini-batches download and the finished ones upload, and shortens the time workers wait
 * for the slowest mini-batch of a wave; waiting for a worker does not count against
 * `retry_settings.timeout`. Measured with `npm run bench` (docs/benchmarks.md).
 */
export const MINI_BATCHES_PER_WORKER = 4;

/** The orchestration's input: the job's name and the few settings that shape its schedule. */
export function orchestrationInput(spec: JobSpec, chunkSize: number = DEFAULT_CHUNK_SIZE): ScoringJobInput {
  return {
    jobName: spec.name,
    window: spec.instance_count * spec.settings.max_concurrency_per_instance * MINI_BATCHES_PER_WORKER,
    retry: { maxAttempts: 3, firstIntervalMs: 5_000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
    errorThreshold: spec.settings.error_threshold,
    chunkSize,
  };
}

/**
 * A job of the same name that exists: returned when it is this endpoint's (a repeated request),
 * `JobNameTaken` when it belongs to another endpoint or to a deleted namesake (nothing of it shown).
 */
function sameEndpoint(record: JobRecord, spec: JobSpec): JobRecord {
  if (record.endpoint_name !== spec.endpoint_name || record.endpoint_id !== spec.endpoint_id)
    throw errors.jobNameTaken(spec.name);
  return record;
}

/** The record of a job that exists; it may be a moment behind its spec when two requests race. */
async function existing(deps: SubmitJobDeps, name: string, spec: JobSpec): Promise<JobRecord> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const record = await deps.records.get(name);
    if (record) return sameEndpoint(record, spec);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new BatchfnError({
    code: "JobNotReady",
    status: 409,
    message: `Job '${name}' is being created; retry in a moment.`,
  });
}
