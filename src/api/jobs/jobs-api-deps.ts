import type { InvocationContext } from "@azure/functions";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { InputCatalog } from "../../io/inputs/input-catalog.js";
import type { JobLog } from "../../io/log/job-log.js";
import type { CancelWatch } from "../../jobs/activities/cancel-watch.js";
import type { JobRunner } from "../../jobs/job-runner.js";
import type { OutputFolders } from "../../jobs/output-folders.js";
import type { JobRecords } from "../../jobs/records/job-records.js";
import type { JobStore } from "../../jobs/store/job-store.js";
import type { Registry } from "../../registry/registry.js";
import type { Deployment, Model } from "../../spec/resources.js";

/** What the jobs API needs; `runner` is per invocation because the Durable client comes from its binding. */
export interface JobsApiDeps {
  registry: Registry;
  records: JobRecords;
  /** Each job's spec and cancel request. */
  store: JobStore;
  jobLog: JobLog;
  access: BlobAccess;
  catalog: InputCatalog;
  /** Decides and claims where each job writes. */
  outputs: OutputFolders;
  runner: (context: InvocationContext) => JobRunner;
  /** This instance's cancel watch: a cancel taken here stops the job's mini-batches running here at once. */
  cancels?: Pick<CancelWatch, "seen">;
  /**
   * Checks that a no-code model's outputs fit the output format the invocation asks for, where the
   * deployment's own check did not (Parquet asked by the invocation only); throws
   * `UnsupportedOutputType`.
   */
  checkModelOutputs: (deployment: Deployment, model: Model) => Promise<void>;
  now?: () => Date;
  /** How often `logs?follow=true` looks for new lines. */
  followIntervalMs?: number;
}
