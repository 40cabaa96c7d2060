import { BatchfnError, ensureError, errors } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { ResolvedInput } from "../../io/inputs/resolved-input.js";
import { checkPerFileNames } from "../../io/output/output-layout.js";
import { outputTarget } from "../../io/output/output-target.js";
import { engineRecord } from "../../scoring/log/log-levels.js";
import type { SettingLimits } from "../../spec/setting-limits.js";
import { checkJobLimits, inputReference, type JobSideInput, type JobSpec } from "../job-spec.js";
import type { JobActivities } from "../orchestration/activity-contract.js";
import { planJob } from "../plan/plan-job.js";
import type { JobRecords } from "../records/job-records.js";
import { failedItemsOf } from "../rerun/failed-items.js";
import type { JobStore } from "../store/job-store.js";
import type { ActivityLog } from "./activity-log.js";
import type { JobCache } from "./job-cache.js";
import type { JobInputs } from "./job-inputs.js";

export interface PlanJobPorts {
  cache: JobCache;
  /** Where the plan and the prepared job are written. */
  store: JobStore;
  inputs: JobInputs;
  /** Reads the errors.jsonl of the job a failed-items re-run re-runs. */
  access: BlobAccess;
  /** The job's row: `Running` once planned. */
  records: JobRecords;
  log: ActivityLog;
  /** This host's bounds: a stored job above them is failed, never run. */
  limits: SettingLimits;
  now: () => Date;
}

/**
 * `planJob`: resolves the job's input, cuts it into mini-batches and writes the plan, fixes the
 * output target, and marks the job `Running`. Returns counts only.
 */
export function createPlanJob(ports: PlanJobPorts): JobActivities["planJob"] {
  return async ({ jobName }) => {
    const spec = await ports.cache.spec(jobName);
    try {
      checkJobLimits(spec, ports.limits);
      const failed =
        spec.rerun_of?.failed_only === true
          ? await failedItemsOf(spec.rerun_of.job, { store: ports.store, access: ports.access })
          : undefined;
      const input = failed?.input ?? (await ports.inputs.resolve(inputReference(spec.input)));
      const inputs = await resolveSideInputs(spec, ports.inputs);
      if (spec.settings.output_action === "append_row" && spec.settings.output_layout === "per_file") {
        checkPerFileNames(
          input.items.map((item) => item.name),
          spec.settings.output_format,
        );
      }
      const rows = spec.settings.mini_batch_rows;
      const plan = await planJob(
        {
          jobName,
          input,
          miniBatchSize: spec.settings.mini_batch_size,
          miniBatchRows: rows,
          countRows: rows ? ports.inputs.countRows : undefined,
          entries: failed?.entries,
        },
        { store: ports.store },
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
        layout: spec.settings.output_layout,
        miniBatches: plan.miniBatches,
        overwrite: spec.output.overwrite,
      });
      const plannedAt = ports.now().toISOString();
      await ports.store.savePrepared(jobName, {
        plan,
        target,
        input: input.display,
        planned_at: plannedAt,
        ...(inputs ? { inputs } : {}),
      });
      ports.cache.dropPrepared(jobName);
      await ports.records.update(jobName, (record) => ({
        ...record,
        status: record.status === "CancelRequested" ? record.status : "Running",
        started_at: plannedAt,
      }));
      await ports.log(spec, [
        engineRecord(
          "info",
          `Planned ${plan.miniBatches} mini-batches of ${plan.items} items from ${input.display}; output ${location.display}`,
        ),
      ]);
      return { miniBatches: plan.miniBatches, items: plan.items };
    } catch (thrown) {
      const error = ensureError(thrown);
      await ports.log(spec, [engineRecord("error", `Planning failed: ${error.message}`)]);
      throw error;
    }
  };
}

/**
 * Lists the job's other data inputs, so a missing one fails the job here, before any scoring, and
 * every instance downloads the same files. Undefined when the job has none.
 */
async function resolveSideInputs(
  spec: JobSpec,
  inputs: JobInputs,
): Promise<Record<string, ResolvedInput> | undefined> {
  const data = Object.entries(spec.inputs ?? {}).filter(
    (entry): entry is [string, Exclude<JobSideInput, { kind: "literal" }>] => entry[1].kind !== "literal",
  );
  if (data.length === 0) return undefined;
  const resolved: Record<string, ResolvedInput> = {};
  for (const [name, input] of data) {
    try {
      resolved[name] = await inputs.resolve(inputReference(input));
    } catch (thrown) {
      if (!(thrown instanceof BatchfnError)) throw thrown;
      throw new BatchfnError({
        code: thrown.code,
        status: thrown.status,
        message: `Input '${name}': ${thrown.message}`,
        retryable: thrown.retryable,
      });
    }
  }
  return resolved;
}
