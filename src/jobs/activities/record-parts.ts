import type { ContainerClient } from "@azure/storage-blob";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { recordRange } from "../../io/output/record-range.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import type { JobCache } from "./job-cache.js";

export interface RecordPartsPorts {
  /** The job's output target. */
  cache: JobCache;
  /** The jobs container: the range record is written there (io/output). */
  jobs: ContainerClient;
  /** Reaches the output datastore, where small outputs are staged. */
  access: BlobAccess;
}

/**
 * `recordParts`: once a range of mini-batches stopped, writes the part records the orchestration
 * learnt from their outcomes as the range's one record, which the finaliser commits from, after
 * staging the small outputs the records carry (`record-range.ts`). The input comes from the
 * orchestration's history, so a retry or a replay stages and writes the same.
 */
export function createRecordParts(ports: RecordPartsPorts): JobActivities["recordParts"] {
  return async ({ jobName, start, end, parts }) => {
    const job = await ports.cache.planned(jobName);
    return { parts: await recordRange(job.target, { start, end, parts }, ports) };
  };
}
