import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { BatchfnError, ensureError, errors } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { InputCatalog } from "../../io/inputs/input-catalog.js";
import { resolveInput } from "../../io/inputs/resolve-input.js";
import type { JobLog } from "../../io/log/job-log.js";
import { finalizeOutput } from "../../io/output/finalize-output.js";
import { buildJobSummary, writeJobSummary } from "../../io/output/job-summary.js";
import { outputTarget } from "../../io/output/output-target.js";
import { type StagedMiniBatch, stageMiniBatchOutput } from "../../io/output/stage-mini-batch.js";
import { uploadSummaryOutputs } from "../../io/output/summary-outputs.js";
import { countRows } from "../../io/tabular/row-count.js";
import { writeRowRange } from "../../io/tabular/row-range.js";
import type { DeploymentAssets } from "../../scoring/deployment-assets.js";
import { engineRecord, isLevelEnabled } from "../../scoring/log/log-levels.js";
import type { ScoredMiniBatch } from "../../scoring/pool/scoring-pool.js";
import type { LogRecord, MiniBatchFile, MiniBatchInput, RuntimeSpec } from "../../scoring/runtime.js";
import type { SettingLimits } from "../../spec/setting-limits.js";
import { checkJobLimits, type JobSpec } from "../job-spec.js";
import type {
  FailureRecord,
  FinalizeInput,
  MiniBatchOutcome,
  MiniBatchRef,
  PlanSummary,
} from "../orchestration/contract.js";
import { downloadMiniBatch } from "../plan/download-mini-batch.js";
import { failedMiniBatchResult } from "../plan/failed-mini-batch.js";
import { planJob } from "../plan/plan-job.js";
import { readMiniBatch } from "../plan/read-plan.js";
import { downloadingRowCounter } from "../plan/row-counter.js";
import type { JobRecords } from "../records/job-records.js";
import {
  hostPathRedactor,
  type Redact,
  redactRecords,
  redactResult,
  type ShownFolder,
} from "./host-paths.js";
import { cancelWatch, loadJobSpec, loadPreparedJob, type PreparedJob, savePreparedJob } from "./job-files.js";
import { partsLost } from "./lost-parts.js";
import type { ScoringPools } from "./scoring-pools.js";

export interface JobActivityDeps {
  /** Datastores and data assets (the registry, seen through the input port). */
  catalog: InputCatalog;
  access: BlobAccess;
  /** The jobs container: specs, plans, parts, logs. */
  jobs: ContainerClient;
  jobLog: JobLog;
  assets: DeploymentAssets;
  pools: ScoringPools;
  /** The job's row, updated when it starts running and when it ends. */
  records: JobRecords;
  /** Local scratch space of this instance. */
  workDir: string;
  /** This host's bounds: a stored job above them is failed at start or resume, never run. */
  limits: SettingLimits;
  /** Accept `http://` loopback input URLs (tests against Azurite). */
  allowHttpInputs?: boolean;
  /** A scoring worker's memory limit (MB) when the job's settings give none (`BATCHFN_WORKER_MEMORY_MB`). */
  workerMemoryMb: number;
  now?: () => Date;
}

/** The activities of a scoring job, as plain async functions (registered in functions/). */
export interface JobActivities {
  planJob(input: { jobName: string }): Promise<PlanSummary>;
  scoreMiniBatch(input: MiniBatchRef): Promise<MiniBatchOutcome>;
  recordMiniBatchFailure(input: FailureRecord): Promise<MiniBatchOutcome>;
  finalizeJob(input: FinalizeInput): Promise<string[]>;
}

/**
 * Builds the activities from their dependencies. Each reads what it needs from the job's blobs by
 * the job's name, so orchestration history only carries names, indexes and counts.
 */
export function createJobActivities(deps: JobActivityDeps): JobActivities {
  const now = deps.now ?? (() => new Date());
  const specs = new Map<string, Promise<JobSpec>>();
  const prepared = new Map<string, Promise<PreparedJob | undefined>>();
  const specOf = (job: string) => cached(specs, job, () => loadJobSpec(deps.jobs, job));
  const preparedOf = (job: string) => cached(prepared, job, () => loadPreparedJob(deps.jobs, job));
  const cancels = cancelWatch(deps.jobs);
  // what invokers see names items and documented folders, never this host's paths
  const hostFolders: ShownFolder[] = [
    { path: deps.workDir, shown: "<work>" },
    { path: process.cwd(), shown: "<app>" },
  ];
  const redactHost = hostPathRedactor(hostFolders);
  const log = async (spec: JobSpec, records: LogRecord[]) => {
    const kept = records.filter(
      (r) => r.source === "script" || isLevelEnabled(r.level, spec.settings.logging_level),
    );
    if (kept.length > 0) await deps.jobLog.appendJobLog(spec.name, redactRecords(kept, redactHost));
  };

  /** Why this host cannot run a resumed job (logged once per mini-batch), or undefined. */
  const limitsRefusal = async (spec: JobSpec): Promise<string | undefined> => {
    try {
      checkJobLimits(spec, deps.limits);
      return undefined;
    } catch (thrown) {
      const error = ensureError(thrown);
      if (!(error instanceof BatchfnError) || error.code !== "LimitExceeded") throw error;
      await log(spec, [engineRecord("error", error.message)]);
      return error.message;
    }
  };

  return {
    async planJob({ jobName }) {
      const spec = await specOf(jobName);
      try {
        checkJobLimits(spec, deps.limits);
        const input = await resolveInput(toJobInput(spec), {
          catalog: deps.catalog,
          access: deps.access,
          allowHttp: deps.allowHttpInputs,
        });
        const rows = spec.settings.mini_batch_rows;
        const plan = await planJob(
          {
            jobName,
            input,
            miniBatchSize: spec.settings.mini_batch_size,
            miniBatchRows: rows,
            countRows: rows
              ? downloadingRowCounter({ access: deps.access, countLocalRows: countRows })
              : undefined,
          },
          { jobs: deps.jobs },
        );
        const location = spec.output.location;
        if (!location) {
          throw errors.corruptRecord(
            `Job '${jobName}' has no claimed output folder (its spec comes from an older batchfn); invoke it again.`,
          );
        }
        const target = outputTarget({
          job: jobName,
          location,
          action: spec.settings.output_action,
          fileName: spec.settings.output_file_name,
          format: spec.settings.output_format,
          miniBatches: plan.miniBatches,
          overwrite: spec.output.overwrite,
        });
        const plannedAt = now().toISOString();
        await savePreparedJob(deps.jobs, jobName, {
          plan,
          target,
          input: input.display,
          planned_at: plannedAt,
        });
        prepared.delete(jobName);
        await deps.records.update(jobName, (record) => ({
          ...record,
          status: record.status === "CancelRequested" ? record.status : "Running",
          started_at: plannedAt,
        }));
        await log(spec, [
          engineRecord(
            "info",
            `Planned ${plan.miniBatches} mini-batches of ${plan.items} items from ${input.display}; output ${location.display}`,
          ),
        ]);
        return { miniBatches: plan.miniBatches, items: plan.items };
      } catch (thrown) {
        const error = ensureError(thrown);
        await log(spec, [engineRecord("error", `Planning failed: ${error.message}`)]);
        throw error;
      }
    },

    async scoreMiniBatch({ jobName, index }) {
      const spec = await specOf(jobName);
      const job = await requirePrepared(preparedOf, jobName);
      if (await cancels.isRequested(jobName)) {
        return { index, succeededItems: 0, failedItems: 0, rows: 0, canceled: true };
      }
      const abort = await limitsRefusal(spec);
      if (abort !== undefined)
        return { index, succeededItems: 0, failedItems: 0, rows: 0, canceled: false, abort };
      const outputDir = join(
        deps.workDir,
        "outputs",
        spec.settings.output_action === "summary_only" ? jobName : "shared",
      );
      await mkdir(outputDir, { recursive: true });
      const runtime = await deps.assets.runtimeSpec({
        deployment: spec.deployment,
        model: spec.model,
        outputDir,
      });
      const poolOptions = {
        runtime,
        workers: spec.settings.max_concurrency_per_instance,
        timeoutSeconds: spec.settings.retry_settings.timeout,
        loggingLevel: spec.settings.logging_level,
        workerMemoryMb: spec.settings.worker_memory_mb ?? deps.workerMemoryMb,
      };
      const localDir = await mkdtemp(join(deps.workDir, "mini-batch-"));
      const redact = hostPathRedactor([
        { path: localDir, shown: "" },
        ...runtimeFolders(runtime, outputDir),
        ...hostFolders,
      ]);
      try {
        const files = await downloadMiniBatch(
          { plan: job.plan, index, localDir, writeRowRange },
          { jobs: deps.jobs, access: deps.access },
        );
        const staged = await deps.pools.use(poolOptions, (pool) =>
          scoreWithRetries({
            spec,
            job,
            index,
            files,
            outputDir,
            run: (input) => pool.run(input),
            log,
            redact,
          }),
        );
        return outcomeOf(index, staged);
      } finally {
        await rm(localDir, { recursive: true, force: true });
      }

      async function scoreWithRetries(options: ScoreOptions): Promise<StagedMiniBatch> {
        const maxAttempts = spec.settings.retry_settings.max_retries + 1;
        for (let attempt = 1; ; attempt += 1) {
          try {
            const outputFormat = job.target.action === "append_row" ? job.target.format : undefined;
            const scored = await options.run({ index, attempt, files: options.files, outputFormat });
            await options.log(spec, redactRecords(scored.logs, options.redact));
            let outputFiles: number | undefined;
            if (spec.settings.output_action === "summary_only") {
              outputFiles = (await uploadSummaryOutputs({ target: job.target, localDir: outputDir }, deps))
                .files;
            }
            return await stageMiniBatchOutput(
              {
                target: job.target,
                index,
                attempt,
                result: redactResult(scored.result, options.redact),
                outputFiles,
                formatted: scored.formatted,
              },
              deps,
            );
          } catch (thrown) {
            const error = thrown instanceof BatchfnError ? thrown : ensureError(thrown);
            const code = error instanceof BatchfnError ? error.code : "ScriptError";
            const retryable = !(error instanceof BatchfnError) || error.retryable;
            const last = attempt >= maxAttempts || !retryable;
            const logs = redactRecords(error instanceof BatchfnError ? error.logs : [], options.redact);
            const message = options.redact(error.message);
            const tags = { miniBatch: index, attempt };
            const verdict = last
              ? "failed for good"
              : `will be retried (attempt ${attempt + 1} of ${maxAttempts})`;
            await options.log(spec, [
              ...logs,
              engineRecord(
                last ? "error" : "warning",
                `${code}: ${message} — mini-batch ${index} ${verdict}`,
                tags,
              ),
            ]);
            if (!last) continue;
            const { miniBatch } = await readMiniBatch(deps.jobs, job.plan, index);
            const failed = failedMiniBatchResult(miniBatch, { code, message });
            return stageMiniBatchOutput(
              { target: job.target, index, attempt, result: failed, failed: true },
              deps,
            );
          }
        }
      }
    },

    async recordMiniBatchFailure({ jobName, index, attempts, message }) {
      const spec = await specOf(jobName);
      const job = await requirePrepared(preparedOf, jobName);
      const { miniBatch } = await readMiniBatch(deps.jobs, job.plan, index);
      const failed = failedMiniBatchResult(miniBatch, {
        code: "ActivityFailed",
        message: redactHost(message),
      });
      const staged = await stageMiniBatchOutput(
        { target: job.target, index, attempt: attempts, result: failed, failed: true },
        deps,
      );
      await log(spec, [
        engineRecord("error", `Mini-batch ${index} failed: ${message}`, {
          miniBatch: index,
          attempt: attempts,
        }),
      ]);
      return outcomeOf(index, staged);
    },

    async finalizeJob(input) {
      const { jobName, progress } = input;
      let { status } = input;
      let message = input.message === undefined ? undefined : redactHost(input.message);
      const spec = await specOf(jobName);
      prepared.delete(jobName);
      const job = await preparedOf(jobName);
      const record = (outputs: string[]) =>
        deps.records.update(jobName, (current) => ({
          ...current,
          status,
          message,
          progress,
          outputs,
          finished_at: now().toISOString(),
        }));
      if (!job) {
        await log(spec, [engineRecord("error", `Job ${status}: ${message ?? "it could not be planned"}`)]);
        await record([]);
        return [];
      }
      const totals = await finalizeOutput(job.target, deps);
      const lost =
        status === "Completed" && totals.missing.length > 0
          ? await partsLost(deps.jobs, job.plan, totals.missing)
          : undefined;
      if (lost) {
        status = "Failed";
        message = lost.message;
      }
      const summary = buildJobSummary({
        target: job.target,
        counts: job.plan,
        totals,
        status,
        input: job.input,
        errorThreshold: spec.settings.error_threshold,
        settings: { ...spec.settings, instance_count: spec.instance_count },
        startedAt: new Date(spec.created_at),
        finishedAt: now(),
        failure:
          status === "Completed"
            ? undefined
            : {
                code: lost ? lost.code : status === "Failed" ? "JobFailed" : "JobCanceled",
                message: message ?? status,
              },
      });
      await writeJobSummary(job.target, summary, deps);
      const display = job.target.location.display;
      const files = [...totals.predictionFiles, ...totals.errorFiles];
      const level = status === "Completed" ? "info" : "error";
      await log(spec, [
        engineRecord(
          level,
          `Job ${status}${message ? `: ${message}` : ""}. ${totals.items.succeeded} items succeeded, ${totals.items.failed} failed; output in ${display}`,
        ),
      ]);
      await record(files);
      specs.delete(jobName);
      cancels.forget(jobName);
      // The orchestration must not end Completed either: its failure carries the same reason.
      if (lost) throw lost;
      return files;
    },
  };
}

interface ScoreOptions {
  spec: JobSpec;
  job: PreparedJob;
  index: number;
  files: MiniBatchFile[];
  outputDir: string;
  run: (input: MiniBatchInput) => Promise<ScoredMiniBatch>;
  log: (spec: JobSpec, records: LogRecord[]) => Promise<void>;
  redact: Redact;
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

function outcomeOf(index: number, staged: StagedMiniBatch): MiniBatchOutcome {
  return {
    index,
    succeededItems: staged.succeededItems,
    failedItems: staged.failedItems,
    rows: staged.rows,
    canceled: false,
  };
}

async function requirePrepared(
  preparedOf: (job: string) => Promise<PreparedJob | undefined>,
  job: string,
): Promise<PreparedJob> {
  const prepared = await preparedOf(job);
  if (!prepared)
    throw new BatchfnError({ code: "JobNotPlanned", status: 409, message: `Job '${job}' has no plan yet.` });
  return prepared;
}

function toJobInput(spec: JobSpec) {
  const input = spec.input;
  return input.kind === "uri"
    ? { uri: input.uri, type: input.type }
    : { uri: `azureml:${input.name}:${input.version}` };
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = load();
    value.catch(() => map.delete(key));
    map.set(key, value);
  }
  return value;
}
