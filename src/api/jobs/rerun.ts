import { BatchfnError, errors } from "../../errors.js";
import { checkJobLimits } from "../../jobs/job-spec.js";
import { isTerminal, type JobRecord, type JobRecords } from "../../jobs/records/job-records.js";
import { buildRerunSpec } from "../../jobs/rerun/rerun-spec.js";
import { submitJob } from "../../jobs/submit-job.js";
import { parseRerunBody } from "../../spec/rerun.schema.js";
import { baseUrl, type Handler, handle, readBody } from "../http.js";
import { routeName } from "../registry/route-params.js";
import { answer, existingJob, keyedJobName, newJobName } from "./invoke.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/**
 * `POST /api/jobs/{job}/rerun`: starts a new job over the items of an ended job (with
 * `failed_only`, exactly those its errors.jsonl lists), with the same endpoint, input and settings
 * unless the body overrides them, its output in a new folder. The two are linked both ways
 * (`rerun_of` on the new job, `reruns` on the old one). Idempotent like invoke (`job_name`,
 * `Idempotency-Key`). Refused, with nothing written: a job that has not ended (`JobNotFinished`,
 * 409), `failed_only` on a job without failed items (`NoFailedItems`, 409), a job of a deleted
 * endpoint (`NotFound`). The route's guard lets only the job's endpoint's callers (and admins) in.
 */
export function createRerunHandler(deps: JobsApiDeps): Handler {
  const now = deps.now ?? (() => new Date());
  return handle(async (request, context) => {
    const jobName = routeName(request, "job", "job");
    const source = await deps.records.get(jobName);
    if (!source) throw errors.notFound("Job", jobName);
    const body = parseRerunBody(await optionalBody(request));
    const key = request.headers.get("idempotency-key") ?? undefined;
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw errors.invalidParameter("Idempotency-Key", "must be 1-200 characters long");
    }
    const endpointRecord = await deps.registry.endpoints.show(source.endpoint_name);
    if (source.endpoint_id !== undefined && source.endpoint_id !== endpointRecord.id) {
      throw errors.notFound("Batch endpoint of job", jobName);
    }
    const endpoint = { name: source.endpoint_name, id: endpointRecord.id };
    const name =
      body.job_name ??
      (key ? keyedJobName(endpoint.name, endpoint.id, key) : newJobName(endpoint.name, now()));
    const base = baseUrl(request);
    const replay = await existingJob(deps, endpoint, name, key);
    if (replay) {
      if (replay.rerun_of === jobName) await linkRerun(deps.records, jobName, replay.name);
      return answer(replay, base, 200);
    }
    if (!isTerminal(source.status)) throw errors.jobNotFinished(jobName, source.status);
    if (body.failed_only && (source.progress?.items.failed ?? 0) === 0) throw errors.noFailedItems(jobName);

    const spec = await deps.store.loadSpec(jobName);
    const deployment = (
      await deps.registry.deployments.show(endpoint.name, body.deployment_name ?? spec.deployment_name)
    ).resource;
    const model = (await deps.registry.models.show(deployment.model.name, deployment.model.version)).resource;
    const rerun = buildRerunSpec({ name, source: spec, now: now(), deployment, model, body });
    checkJobLimits(rerun, deps.registry.limits, body);
    const items = body.failed_only ? "the failed items" : "the items";
    const { record, created } = await submitJob(
      { spec: rerun, idempotencyKey: key, input: `${items} of job '${jobName}' (${source.input})` },
      { store: deps.store, records: deps.records, outputs: deps.outputs, runner: deps.runner(context) },
    );
    if (record.rerun_of === jobName) await linkRerun(deps.records, jobName, record.name);
    return answer(record, base, created ? 202 : 200);
  });
}

/** Adds a re-run to the job it re-runs (once). */
async function linkRerun(records: JobRecords, source: string, rerun: string): Promise<JobRecord> {
  return records.update(source, (current) =>
    current.reruns?.includes(rerun) ? current : { ...current, reruns: [...(current.reruns ?? []), rerun] },
  );
}

/** The body, or `undefined` when the request has none (a re-run with every default). */
async function optionalBody(request: Parameters<Handler>[0]): Promise<unknown> {
  try {
    return await readBody(request);
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "EmptyBody") return undefined;
    throw thrown;
  }
}
