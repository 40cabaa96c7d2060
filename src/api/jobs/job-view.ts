import type { JobRunner } from "../../jobs/job-runner.js";
import { jobCustomStatusSchema, type Progress } from "../../jobs/orchestration/contract.js";
import { experimentOf } from "../../jobs/records/job-filter.js";
import { isTerminal, type JobRecord, type JobRecords } from "../../jobs/records/job-records.js";
import { settleJob } from "../../jobs/records/settle-job.js";
import type { JobStatus } from "../../spec/job.schema.js";
import { jobOutputFolder } from "./job-output-folder.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/** The first lines of a failed job's errors.jsonl shown with the job. */
const ERRORS_SHOWN = 5;

/**
 * A job's current status and progress: the record once it ended, else the live orchestration. A
 * job whose orchestration ended (or vanished) without the record saying so is settled first (see
 * `settleJob`), so its record follows.
 */
export async function liveState(
  record: JobRecord,
  runner: JobRunner,
  records: JobRecords,
): Promise<{ status: JobStatus; progress?: Progress; message?: string }> {
  const ended = (r: JobRecord) => ({ status: r.status, progress: r.progress, message: r.message });
  if (isTerminal(record.status)) return ended(record);
  const live = await runner.status(record.name);
  const settled = await settleJob(record, live, { records });
  if (settled) return ended(settled);
  if (record.status === "CancelRequested") return ended(record);
  const custom = jobCustomStatusSchema.safeParse(live?.customStatus);
  if (!custom.success) return ended(record);
  let progress = custom.data.progress;
  if (progress && progress.miniBatches.total > record.chunk_size) {
    const done = progress.miniBatches.succeeded + progress.miniBatches.failed;
    const chunk = await runner.status(`${record.name}:chunk-${Math.floor(done / record.chunk_size)}`);
    const chunkStatus = jobCustomStatusSchema.safeParse(chunk?.customStatus);
    if (chunkStatus.success && chunkStatus.data.progress) progress = chunkStatus.data.progress;
  }
  return { status: custom.data.status, progress, message: custom.data.message };
}

/** The job resource the API shows: batchfn's fields, with Azure ML's `properties.status` too. */
export function jobView(
  record: JobRecord,
  state: { status: JobStatus; progress?: Progress; message?: string },
  base: string,
  errors?: unknown[],
) {
  const self = `${base}/api/jobs/${encodeURIComponent(record.name)}`;
  const p = state.progress;
  return {
    id: `/jobs/${record.name}`,
    name: record.name,
    type: "batch_job",
    status: state.status,
    endpoint: record.endpoint_name,
    deployment: record.deployment_name,
    display_name: record.display_name ?? record.name,
    experiment_name: experimentOf(record),
    tags: record.tags ?? {},
    created_at: record.created_at,
    started_at: record.started_at,
    finished_at: record.finished_at,
    input: record.input,
    output: {
      path: record.output_path,
      file_name: record.output_file_name,
      files: record.outputs,
    },
    named_outputs: record.named_outputs,
    rerun_of: record.rerun_of,
    reruns: record.reruns,
    progress: p && {
      mini_batches: p.miniBatches,
      items: p.items,
      rows: p.rows,
    },
    message: state.message,
    errors,
    properties: {
      status: state.status,
      endpointName: record.endpoint_name,
      deploymentName: record.deployment_name,
    },
    links: {
      self,
      logs: `${self}/logs`,
      outputs: `${self}/outputs`,
      cancel: `${self}/cancel`,
      rerun: `${self}/rerun`,
    },
  };
}

/** The first lines of the job's errors.jsonl, once the job has ended with failed items. */
export async function firstErrors(record: JobRecord, deps: JobsApiDeps): Promise<unknown[] | undefined> {
  if (!isTerminal(record.status) || (record.progress?.items.failed ?? 0) === 0) return undefined;
  const { location, container } = await jobOutputFolder(record, deps);
  for await (const blob of container.listBlobsFlat({ prefix: location.prefix })) {
    const name = blob.name.slice(location.prefix.length);
    if (!/^errors(-\d+)?\.jsonl$/.test(name)) continue;
    const size = Math.min(64 * 1024, blob.properties.contentLength ?? 0);
    if (size === 0) return [];
    const text = (await container.getBlobClient(blob.name).downloadToBuffer(0, size)).toString("utf8");
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(0, ERRORS_SHOWN)
      .map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return line;
        }
      });
  }
  return undefined;
}
