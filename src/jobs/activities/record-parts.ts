import type { ContainerClient } from "@azure/storage-blob";
import { writeRangeRecord } from "../../io/output/range-record.js";
import type { JobActivities } from "../orchestration/activity-contract.js";

export interface RecordPartsPorts {
  /** The jobs container: the range record is written there (io/output). */
  jobs: ContainerClient;
}

/**
 * `recordParts`: once a range of mini-batches stopped, writes the part records the orchestration
 * learnt from their outcomes as the range's one record, which the finaliser commits from. The
 * input comes from the orchestration's history, so a retry or a replay writes the same record.
 */
export function createRecordParts(ports: RecordPartsPorts): JobActivities["recordParts"] {
  return async ({ jobName, start, end, parts }) => {
    await writeRangeRecord(ports.jobs, jobName, { start, end, parts });
    return { parts: parts.length };
  };
}
