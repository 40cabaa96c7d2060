import { createHash } from "node:crypto";
import { z } from "zod";
import type { Config } from "../../config.js";
import { BatchfnError, errors } from "../../errors.js";
import { readModifyWrite } from "../../registry/read-modify-write.js";
import { createTableStore, type StoredRow } from "../../registry/table-store.js";
import { jobLabels, jobStatus } from "../../spec/job.schema.js";
import type { StorageClients } from "../../storage/clients.js";
import { progressSchema } from "../orchestration/contract.js";
import { type JobFilter, matchesFilter } from "./job-filter.js";

/**
 * One row per job in `<tablePrefix>Jobs` (PartitionKey `job`, RowKey the job name): who ran what,
 * where its output goes, its last recorded status. Live progress comes from the orchestration's
 * custom status; this row is what lists and idempotent invocations read. An `Idempotency-Key` is
 * kept as a row of its own (PartitionKey `idempotency`) naming the job it created.
 */
export const jobRecordSchema = z.object({
  name: z.string(),
  endpoint_name: z.string(),
  /** The id of the endpoint's registry row when the job was started (absent on older records). */
  endpoint_id: z.string().optional(),
  deployment_name: z.string(),
  status: jobStatus,
  created_at: z.string(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  input: z.string(),
  output_path: z.string(),
  output_file_name: z.string(),
  chunk_size: z.number().int().min(1),
  message: z.string().optional(),
  progress: progressSchema.optional(),
  outputs: z.array(z.string()).optional(),
  idempotency_key: z.string().optional(),
  /** Named outputs beyond `score`: name → folder (`azureml://datastores/<ds>/paths/<folder>/`). */
  named_outputs: z.record(z.string(), z.string()).optional(),
  /** The job this one re-runs. */
  rerun_of: z.string().optional(),
  /** The jobs that re-run this one, oldest first. */
  reruns: z.array(z.string()).optional(),
  /** The labels the invocation gave (`display_name`, `experiment_name`, `tags`). */
  ...jobLabels.shape,
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/**
 * Which endpoint a job belongs to: the name, and the id of its registry row, which an endpoint
 * deleted and created again under the same name does not share.
 */
export interface EndpointIdentity {
  name: string;
  id: string;
  /** When the endpoint's row was created (ISO 8601): decides for records that hold no id. */
  created_at: string;
}

/**
 * Whether a job belongs to this endpoint (and not to a deleted namesake). A record from before
 * endpoint ids were recorded belongs to it when it was made after the endpoint.
 */
export function belongsTo(record: JobRecord, endpoint: EndpointIdentity): boolean {
  if (record.endpoint_name !== endpoint.name) return false;
  return record.endpoint_id === undefined
    ? record.created_at >= endpoint.created_at
    : record.endpoint_id === endpoint.id;
}

const idempotencySchema = z.object({ job: z.string() });

const JOB_PARTITION = "job";
const KEY_PARTITION = "idempotency";

export interface JobRecords {
  /** Stores a new job; `AlreadyExists` when the name is taken. */
  create(record: JobRecord): Promise<JobRecord>;
  get(name: string): Promise<JobRecord | undefined>;
  /** Applies a change to the stored record (read-modify-write under its ETag). */
  update(name: string, change: (record: JobRecord) => JobRecord): Promise<JobRecord>;
  /** The jobs that pass the filter, newest first. */
  list(filter?: JobFilter): Promise<JobRecord[]>;
  /**
   * The job an idempotency key already started on an endpoint, if any. Keys are the endpoint's
   * own: `endpointId` is the id of its registry row, so a re-created endpoint starts afresh.
   */
  jobForKey(endpointId: string, key: string): Promise<string | undefined>;
  /** Claims a key for a job; returns the job that holds it (this one, or the one that won a race). */
  claimKey(endpointId: string, key: string, job: string): Promise<string>;
}

export function createJobRecords(deps: { clients: StorageClients; config: Config }): JobRecords {
  const client = deps.clients.table(`${deps.config.tablePrefix}Jobs`);
  const jobs = createTableStore({
    client,
    schema: jobRecordSchema,
    kind: "Job",
    describe: (key) => key.rowKey,
  });
  const keys = createTableStore({
    client,
    schema: idempotencySchema,
    kind: "Idempotency key",
    describe: (key) => key.rowKey,
  });
  const keyOf = (endpointId: string, key: string) => ({
    partitionKey: KEY_PARTITION,
    rowKey: createHash("sha256").update(`${endpointId}\n${key}`).digest("hex"),
  });
  const ready = async () => {
    await jobs.ensure();
  };

  return {
    async create(record) {
      await ready();
      return (await jobs.insert({ partitionKey: JOB_PARTITION, rowKey: record.name }, record)).resource;
    },
    async get(name) {
      await ready();
      return (await jobs.get({ partitionKey: JOB_PARTITION, rowKey: name }))?.resource;
    },
    async update(name, change) {
      await ready();
      const row = await readModifyWrite(
        jobs,
        { partitionKey: JOB_PARTITION, rowKey: name },
        (current: StoredRow<JobRecord>) => ({
          resource: jobRecordSchema.parse(change(current.resource)),
        }),
      );
      return row.resource;
    },
    async list(filter = {}) {
      await ready();
      const rows = await jobs.list(JOB_PARTITION);
      return rows
        .map((row) => row.resource)
        .filter((record) => matchesFilter(record, filter))
        .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.name.localeCompare(b.name));
    },
    async jobForKey(endpointId, key) {
      await ready();
      return (await keys.get(keyOf(endpointId, key)))?.resource.job;
    },
    async claimKey(endpointId, key, job) {
      await ready();
      try {
        return (await keys.insert(keyOf(endpointId, key), { job })).resource.job;
      } catch (thrown) {
        if (!(thrown instanceof BatchfnError && thrown.code === "AlreadyExists")) throw thrown;
        const holder = (await keys.get(keyOf(endpointId, key)))?.resource.job;
        if (!holder) throw errors.concurrentUpdate("Idempotency key", key);
        return holder;
      }
    },
  };
}

/** True for the statuses a job never leaves. */
export function isTerminal(status: JobRecord["status"]): boolean {
  return status === "Completed" || status === "Failed" || status === "Canceled";
}
