import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BatchfnError, ensureError } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { writeRowRange } from "../../io/tabular/row-range.js";
import type { DeploymentAssets } from "../../scoring/deployment-assets.js";
import { jobIOEnv } from "../../scoring/job-io-env.js";
import { engineRecord } from "../../scoring/log/log-levels.js";
import type { RuntimeSpec } from "../../scoring/runtime.js";
import type { SettingLimits } from "../../spec/setting-limits.js";
import { checkJobLimits, type JobSpec } from "../job-spec.js";
import { downloadMiniBatch } from "../mini-batch/download-mini-batch.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import type { JobStore } from "../store/job-store.js";
import type { ActivityLog } from "./activity-log.js";
import { hostPathRedactor, type ShownFolder } from "./host-paths.js";
import type { JobCache } from "./job-cache.js";
import type { LocalJobIO } from "./local-job-io.js";
import { outcomeOf } from "./mini-batch-outcome.js";
import { scoreWithRetries } from "./score-attempts.js";
import type { ScoringPools } from "./scoring-pools.js";

export interface ScoreMiniBatchPorts {
  /** Outputs up to this size travel in the outcome instead of a staged block (`BATCHFN_INLINE_OUTPUT_BYTES`; 0: none). */
  inlineOutputBytes: number;
  cache: JobCache;
  /** Where the plan is read. */
  store: JobStore;
  access: BlobAccess;
  assets: DeploymentAssets;
  pools: ScoringPools;
  log: ActivityLog;
  /** This host's bounds: a resumed job above them is aborted, never run. */
  limits: SettingLimits;
  /** Local scratch space of this instance. */
  workDir: string;
  /** This host's folders and what invokers see in their place. */
  hostFolders: ShownFolder[];
  /** A scoring worker's memory limit (MB) when the job's settings give none (`BATCHFN_WORKER_MEMORY_MB`). */
  workerMemoryMb: number;
  /** This instance's copies of jobs' named inputs and folders of their named outputs. */
  localIO: LocalJobIO;
}

/**
 * `scoreMiniBatch`: downloads one mini-batch, scores it in this instance's pool for the deployment
 * (with the job's `retry_settings`), and stages its output. Returns counts only; a canceled job or
 * one above this host's bounds is not scored. While it runs, the job's cancel request is watched
 * (`JobCache.whileCancelWatched`): a cancel stops its attempt (the worker is ended, nothing is
 * staged) and no retry starts; the mini-batch is then reported `canceled`, not run.
 */
export function createScoreMiniBatch(ports: ScoreMiniBatchPorts): JobActivities["scoreMiniBatch"] {
  return async ({ jobName, index }) => {
    const spec = await ports.cache.spec(jobName);
    const job = await ports.cache.planned(jobName);
    if (await ports.cache.cancelRequested(jobName)) return notRun(index);
    const abort = await limitsRefusal(spec, ports);
    if (abort !== undefined)
      return { index, succeededItems: 0, failedItems: 0, rows: 0, canceled: false, abort };
    const outputDir = join(
      ports.workDir,
      "outputs",
      spec.settings.output_action === "summary_only" ? jobName : "shared",
    );
    await mkdir(outputDir, { recursive: true });
    const named = await ports.localIO.of(spec, job);
    const deployed = await ports.assets.runtimeSpec({
      deployment: spec.deployment,
      model: spec.model,
      outputDir,
    });
    // a job with named inputs or outputs gets a pool of its own: its workers see its paths and values
    const runtime = named ? { ...deployed, env: { ...deployed.env, ...jobIOEnv(named.io) } } : deployed;
    const poolOptions = {
      runtime,
      workers: spec.settings.max_concurrency_per_instance,
      timeoutSeconds: spec.settings.retry_settings.timeout,
      loggingLevel: spec.settings.logging_level,
      workerMemoryMb: spec.settings.worker_memory_mb ?? ports.workerMemoryMb,
    };
    const localDir = await mkdtemp(join(ports.workDir, "mini-batch-"));
    const redact = hostPathRedactor([
      { path: localDir, shown: "" },
      ...runtimeFolders(runtime, outputDir),
      ...(named?.shown ?? []),
      ...ports.hostFolders,
    ]);
    try {
      return await ports.cache.whileCancelWatched(jobName, async (signal) => {
        const files = await downloadMiniBatch(
          { plan: job.plan, index, localDir, writeRowRange, inMemoryMaxBytes: inMemoryMaxBytes(runtime) },
          { store: ports.store, access: ports.access },
        );
        const staged = await ports.pools.use(poolOptions, (pool) =>
          scoreWithRetries(
            {
              spec,
              job,
              index,
              files,
              outputDir,
              named,
              run: (input) => pool.run(input, { signal }),
              canceled: async () => signal.aborted || (await ports.cache.cancelRequestedNow(jobName)),
              redact,
            },
            ports,
          ),
        );
        return staged === "canceled" ? notRun(index) : outcomeOf(index, staged);
      });
    } finally {
      // the scratch folder is this attempt's alone: its removal need not hold up the outcome
      void rm(localDir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
}

/**
 * The largest item a worker thread gets in memory rather than as a local file: the file's bytes
 * travel to the thread (a copy) instead of being written by this thread and read back by that one.
 * The Python runtime runs in processes that read files, so it always gets files.
 */
function inMemoryMaxBytes(runtime: RuntimeSpec): number {
  return runtime.kind === "python" ? 0 : IN_MEMORY_MAX_BYTES;
}

/** 64 MiB: a mini-batch of such items fits in a worker's memory beside the parsed table. */
const IN_MEMORY_MAX_BYTES = 64 * 1024 * 1024;

/** A mini-batch its job's cancel kept from running, or stopped: nothing of it is written. */
function notRun(index: number) {
  return { index, succeededItems: 0, failedItems: 0, rows: 0, canceled: true };
}

/** Why this host cannot run a resumed job (logged once per mini-batch), or undefined. */
async function limitsRefusal(spec: JobSpec, ports: ScoreMiniBatchPorts): Promise<string | undefined> {
  try {
    checkJobLimits(spec, ports.limits);
    return undefined;
  } catch (thrown) {
    const error = ensureError(thrown);
    if (!(error instanceof BatchfnError) || error.code !== "LimitExceeded") throw error;
    await ports.log(spec, [engineRecord("error", error.message)]);
    return error.message;
  }
}

/** The runtime's folders and what invokers see in their place. */
function runtimeFolders(runtime: RuntimeSpec, outputDir: string): ShownFolder[] {
  const folders: ShownFolder[] = [
    { path: runtime.modelDir, shown: "$AZUREML_MODEL_DIR" },
    { path: outputDir, shown: "$AZUREML_BI_OUTPUT_PATH" },
  ];
  if (runtime.kind === "script") folders.push({ path: dirname(runtime.scriptPath), shown: "<code>" });
  if (runtime.kind === "python") folders.push({ path: runtime.codeDir, shown: "<code>" });
  return folders;
}
