import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import type { Config } from "../config.js";
import { type BlobAccess, createBlobAccess } from "../io/inputs/blob-access.js";
import type { InputCatalog } from "../io/inputs/input-catalog.js";
import { createJobLog, type JobLog } from "../io/log/job-log.js";
import { type CancelWatch, cancelWatch } from "../jobs/activities/cancel-watch.js";
import { createJobActivities } from "../jobs/activities/job-activities.js";
import { storageJobInputs } from "../jobs/activities/job-inputs.js";
import { registryCatalog } from "../jobs/activities/registry-catalog.js";
import { createScoringPools } from "../jobs/activities/scoring-pools.js";
import type { JobActivities } from "../jobs/orchestration/activity-contract.js";
import { createOutputFolders, type OutputFolders } from "../jobs/output-folders.js";
import { createJobRecords, type JobRecords } from "../jobs/records/job-records.js";
import { blobJobStore, type JobStore } from "../jobs/store/job-store.js";
import { createRegistry, type Registry } from "../registry/registry.js";
import { createDeploymentAssets } from "../scoring/deployment-assets.js";
import type { StorageClients } from "../storage/clients.js";

export interface EngineOptions {
  config: Config;
  clients: StorageClients;
  /** Local scratch space; default `<os tmp>/batchfn`. */
  workDir?: string;
  /** URL inputs may use http and private addresses (BATCHFN_ALLOW_PRIVATE_URL_INPUTS). */
  allowHttpInputs?: boolean;
  /** How often a running mini-batch looks at its job's cancel request; default `CANCEL_POLL_MS` (500). */
  cancelPollMs?: number;
}

/** The scoring engine of one instance: registry, job activities and the scoring pools they share. */
export interface Engine {
  registry: Registry;
  records: JobRecords;
  /** The jobs container (range records of parts, output claims and logs live there besides the store's documents). */
  jobs: ContainerClient;
  /** Each job's spec, prepared plan, cancel request and plan, in the jobs container. */
  store: JobStore;
  jobLog: JobLog;
  access: BlobAccess;
  catalog: InputCatalog;
  /** Where jobs may write, and which job owns which output folder. */
  outputs: OutputFolders;
  activities: JobActivities;
  /** This instance's view of cancel requests: its activities watch it, its API tells it of a cancel. */
  cancels: CancelWatch;
  workDir: string;
  close(): Promise<void>;
}

/** The composition root of the engine, built from configuration and storage clients. */
export function createEngine(options: EngineOptions): Engine {
  const { config, clients } = options;
  const workDir = options.workDir ?? join(tmpdir(), "batchfn");
  const registry = createRegistry({ clients, config });
  const jobs = clients.blob.getContainerClient(config.containers.jobs);
  const pools = createScoringPools();
  const records = createJobRecords({ clients, config });
  const catalog = registryCatalog(registry);
  const access = createBlobAccess({
    clients,
    storage: config.storage,
    urlPolicy: { allowPrivate: options.allowHttpInputs === true },
  });
  const jobLog = createJobLog({ jobs });
  const outputs = createOutputFolders({ catalog, access, jobs, containers: config.containers });
  const store = blobJobStore(jobs);
  const cancels = cancelWatch(store, options.cancelPollMs);
  const activities = createJobActivities({
    store,
    inputs: storageJobInputs({ catalog, access, allowHttpInputs: options.allowHttpInputs }),
    access,
    jobs,
    jobLog,
    assets: createDeploymentAssets({
      workDir,
      download: (uri, dir) => registry.downloadArtifact(uri, dir),
      pythonInterpreter: config.python.interpreter,
    }),
    pools,
    records,
    workDir,
    limits: config.limits,
    cancels,
    workerMemoryMb: config.scoring.workerMemoryMb,
    inlineOutputBytes: config.scoring.inlineOutputBytes,
  });
  return {
    registry,
    records,
    jobs,
    store,
    jobLog,
    access,
    catalog,
    outputs,
    activities,
    cancels,
    workDir,
    close: () => pools.closeAll(),
  };
}
