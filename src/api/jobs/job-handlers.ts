import { callerOf, describeCaller } from "../../auth/caller.js";
import { BatchfnError, errors } from "../../errors.js";
import type { JobSideInput } from "../../jobs/job-spec.js";
import {
  belongsTo,
  type EndpointIdentity,
  isTerminal,
  type JobRecord,
} from "../../jobs/records/job-records.js";
import { engineRecord } from "../../scoring/log/log-levels.js";
import { computeTargetOf } from "../../spec/compute.schema.js";
import { baseUrl, type Handler, handle, json } from "../http.js";
import { routeName } from "../registry/route-params.js";
import { readJobFilter } from "./job-list-filter.js";
import { firstErrors, jobView, liveState } from "./job-view.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

const PAGE_SIZE = 50;

/**
 * `GET /api/jobs/{job}`, `GET /api/jobs?endpoint=&deployment=&status=&experiment_name=&tag=&top=&skip=`,
 * `POST /api/jobs/{job}/cancel`.
 */
export function createJobHandlers(deps: JobsApiDeps): { show: Handler; list: Handler; cancel: Handler } {
  const load = async (name: string): Promise<JobRecord> => {
    const record = await deps.records.get(name);
    if (!record) throw errors.notFound("Job", name);
    return record;
  };
  return {
    show: handle(async (request, context) => {
      let record = await load(routeName(request, "job", "job"));
      const state = await liveState(record, deps.runner(context), deps.records);
      if (isTerminal(state.status) && !isTerminal(record.status)) record = await load(record.name);
      const view = jobView(record, state, baseUrl(request), await firstErrors(record, deps));
      return json(200, { ...view, ...(await jobSettings(deps, record.name)) });
    }),

    list: handle(async (request) => {
      const query = request.query;
      const filter = readJobFilter(request);
      const top = Number(query.get("top") ?? PAGE_SIZE);
      const skip = Number(query.get("skip") ?? 0);
      if (!Number.isInteger(top) || top < 1 || top > 1000)
        throw errors.invalidParameter("top", "must be an integer from 1 to 1000");
      if (!Number.isInteger(skip) || skip < 0)
        throw errors.invalidParameter("skip", "must be a non-negative integer");
      const { endpoint } = filter;
      const all = await deps.records.list(filter);
      const owner = endpoint === undefined ? undefined : await currentEndpoint(deps, endpoint);
      // Jobs of a deleted endpoint of the same name are not the current endpoint's (admins see
      // them when the name has no endpoint now, or without the filter).
      const mine = owner ? all.filter((record) => belongsTo(record, owner)) : all;
      const base = baseUrl(request);
      const page = mine.slice(skip, skip + top).map((record) => jobView(record, record, base));
      const next = new URL(request.url);
      next.searchParams.set("skip", String(skip + top));
      return json(200, { value: page, nextLink: skip + top < mine.length ? next.toString() : undefined });
    }),

    cancel: handle(async (request, context) => {
      const record = await load(routeName(request, "job", "job"));
      const base = baseUrl(request);
      if (isTerminal(record.status)) {
        return json(200, jobView(record, record, base));
      }
      const now = (deps.now ?? (() => new Date()))();
      const asked = { requested_at: now.toISOString(), requested_by: describeCaller(callerOf(request)) };
      const { request: cancel, first } = await deps.store.requestCancel(record.name, asked);
      deps.cancels?.seen(record.name);
      const updated = await deps.records.update(record.name, (current) =>
        isTerminal(current.status) ? current : { ...current, status: "CancelRequested" },
      );
      // a job that ended meanwhile keeps its end: nothing of it changes
      if (isTerminal(updated.status)) return json(200, jobView(updated, updated, base));
      if (first) {
        await deps.jobLog.appendJobLog(record.name, [
          engineRecord(
            "warning",
            `Cancel requested by ${cancel.requested_by} at ${cancel.requested_at}: no further mini-batch attempt starts, running ones are stopped and their rows dropped; the rows of finished mini-batches are kept.`,
          ),
        ]);
      }
      return json(202, jobView(updated, await liveState(updated, deps.runner(context), deps.records), base));
    }),
  };
}

/** The identity of the endpoint a list is filtered by; undefined when no endpoint has that name now. */
async function currentEndpoint(deps: JobsApiDeps, name: string): Promise<EndpointIdentity | undefined> {
  try {
    const record = await deps.registry.endpoints.show(name);
    return { name, id: record.id, created_at: record.created_at };
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "NotFound") return undefined;
    throw thrown;
  }
}

/** A job's named inputs as shown: a data input as its URI, a literal as its type and value. */
function inputsShown(inputs: Record<string, JobSideInput>) {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, input]) => {
      if (input.kind === "literal") return [name, { type: input.type, value: input.value }];
      const uri = input.kind === "uri" ? input.uri : `azureml:${input.name}:${input.version}`;
      return [name, input.kind === "uri" && input.type ? { type: input.type, path: uri } : { path: uri }];
    }),
  );
}

/**
 * What a job ran with (`GET /api/jobs/{job}` only): its merged settings, its model and the compute
 * its deployment names.
 */
async function jobSettings(deps: JobsApiDeps, job: string) {
  try {
    const spec = await deps.store.loadSpec(job);
    return {
      settings: { ...spec.settings, instance_count: spec.instance_count },
      model: { name: spec.model.name, version: spec.model.version },
      ...(spec.input_name ? { input_name: spec.input_name } : {}),
      ...(spec.inputs ? { inputs: inputsShown(spec.inputs) } : {}),
      compute: computeTargetOf(spec.deployment.accepted_not_used),
    };
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "NotFound") return {};
    throw thrown;
  }
}
