import { createHash, randomBytes } from "node:crypto";
import { BatchfnError, errors } from "../../errors.js";
import type { InputCatalog } from "../../io/inputs/input-catalog.js";
import { parseInputReference } from "../../io/inputs/input-reference.js";
import { checkInputHost, checkInputUrl, type UrlPolicy } from "../../io/inputs/url-policy.js";
import { buildJobSpec, checkJobLimits } from "../../jobs/job-spec.js";
import type { JobRecord } from "../../jobs/records/job-records.js";
import { submitJob } from "../../jobs/submit-job.js";
import { checkComputeBound } from "../../registry/compute-bound.js";
import { type InvokeInput, type InvokeRequest, parseInvokeBody } from "../../spec/invoke.schema.js";
import { checkJobName } from "../../spec/names.js";
import { resourceName } from "../../spec/resources.js";
import { baseUrl, type Handler, handle, json, readBody } from "../http.js";
import { routeName } from "../registry/route-params.js";
import { jobView } from "./job-view.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/**
 * `POST /api/batch-endpoints/{name}/jobs` (the scoring URI): invokes the endpoint's default
 * deployment, or the one named by the `azureml-model-deployment` header or `deployment_name`.
 * Answers 202 with the new job and its `Location`; a repeated request with the same `job_name` or
 * `Idempotency-Key` answers 200 with the job that exists and starts nothing. Everything that can be
 * checked before work starts is checked here: the body, the input's form (paths, URL policy), the
 * deployment, the settings against this host's bounds and the instance count against the
 * `max_instances` of the deployment's compute; the output folder is checked and claimed by
 * `submitJob`.
 */
export function createInvokeHandler(deps: JobsApiDeps): Handler {
  const now = deps.now ?? (() => new Date());
  return handle(async (request, context) => {
    const endpointName = routeName(request, "name", "resource");
    const endpointRecord = await deps.registry.endpoints.show(endpointName);
    const endpoint = endpointRecord.resource;
    const invoke = parseInvokeBody(await readBody(request));
    const namedDeployment = deploymentHeader(request);
    for (const input of dataInputs(invoke)) await checkInputEarly(input, deps.access.urlPolicy, deps.catalog);
    const key = request.headers.get("idempotency-key") ?? undefined;
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw errors.invalidParameter("Idempotency-Key", "must be 1-200 characters long");
    }
    const endpointId = endpointRecord.id;
    const name =
      invoke.jobName ?? (key ? keyedJobName(endpointName, endpointId, key) : newJobName(endpointName, now()));
    checkJobName(name);
    const base = baseUrl(request);
    const replay = await existingJob(deps, { name: endpointName, id: endpointId }, name, key);
    if (replay) return answer(replay, base, 200);

    const deploymentName = namedDeployment ?? invoke.deploymentName ?? endpoint.defaults.deployment_name;
    if (!deploymentName) throw errors.noDefaultDeployment(endpointName);
    const deployment = (await deps.registry.deployments.show(endpointName, deploymentName)).resource;
    const model = (await deps.registry.models.show(deployment.model.name, deployment.model.version)).resource;
    const spec = buildJobSpec({ name, endpointId, now: now(), deployment, model, request: invoke });
    checkJobLimits(spec, deps.registry.limits, invoke.overrides);
    await checkComputeBound(deps.registry.computes, deployment, {
      what: `The invocation of batch deployment '${endpointName}/${deployment.name}'`,
      path: invoke.overrides.instance_count === undefined ? "resources.instance_count" : "instance_count",
      count: spec.instance_count,
    });
    if (spec.settings.output_format !== deployment.settings.output_format) {
      await deps.checkModelOutputs({ ...deployment, settings: spec.settings }, model);
    }

    const { record, created } = await submitJob(
      { spec, idempotencyKey: key, input: describeInput(spec.input), labels: invoke.labels },
      { store: deps.store, records: deps.records, outputs: deps.outputs, runner: deps.runner(context) },
    );
    return answer(record, base, created ? 202 : 200);
  });
}

export function answer(record: JobRecord, base: string, status: number) {
  const view = jobView(
    record,
    { status: record.status, progress: record.progress, message: record.message },
    base,
  );
  return json(status, view, { location: view.links.self });
}

/**
 * The job a repeated request names (by its key or its job name), when it is this endpoint's own;
 * `JobNameTaken` when the name belongs to another endpoint's job or to a deleted namesake's.
 */
export async function existingJob(
  deps: JobsApiDeps,
  endpoint: { name: string; id: string },
  name: string,
  key: string | undefined,
): Promise<JobRecord | undefined> {
  const byKey = key ? await deps.records.jobForKey(endpoint.id, key) : undefined;
  const record = await deps.records.get(byKey ?? name);
  if (record && (record.endpoint_name !== endpoint.name || record.endpoint_id !== endpoint.id)) {
    throw errors.jobNameTaken(byKey ?? name);
  }
  return record;
}

/**
 * Refuses at once, with 400, an input the job would refuse: a datastore path with `..` or an
 * absolute path, a URL the URL policy does not allow (scheme, addresses its host resolves to).
 */
async function checkInputEarly(input: InvokeInput, policy: UrlPolicy, catalog: InputCatalog): Promise<void> {
  const reference =
    input.kind === "uri"
      ? parseInputReference({ uri: input.uri })
      : { kind: "data" as const, name: input.name, version: input.version };
  if (reference.kind === "url") await checkInputHost(checkInputUrl(reference.url, policy), policy);
  if (reference.kind !== "data") return;
  // A data asset's URL gets the same checks as a URL given directly (the planner repeats them).
  const asset = await catalog.getDataAsset(reference.name, reference.version);
  const target = asset && parseInputReference({ uri: asset.path });
  if (!asset || target?.kind !== "url") return;
  try {
    await checkInputHost(checkInputUrl(target.url, policy), policy);
  } catch (thrown) {
    if (!(thrown instanceof BatchfnError)) throw thrown;
    throw new BatchfnError({
      code: thrown.code,
      status: thrown.status,
      retryable: thrown.retryable,
      message: `Data asset '${asset.name}:${asset.version}': ${thrown.message}`,
    });
  }
}

/** Every data input of an invocation: the unnamed one and the named ones. */
function dataInputs(invoke: InvokeRequest): InvokeInput[] {
  const named = Object.values(invoke.inputs ?? {}).filter(
    (input): input is InvokeInput => input.kind !== "literal",
  );
  return invoke.input ? [invoke.input, ...named] : named;
}

/** The `azureml-model-deployment` header, checked against the deployment naming rule. */
function deploymentHeader(request: Parameters<Handler>[0]): string | undefined {
  const header = request.headers.get("azureml-model-deployment") ?? undefined;
  if (header === undefined) return undefined;
  const checked = resourceName.safeParse(header);
  if (checked.success) return checked.data;
  throw errors.invalidParameter(
    "azureml-model-deployment",
    checked.error.issues[0]?.message ?? "is not valid",
  );
}

function describeInput(input: InvokeInput): string {
  return input.kind === "uri" ? input.uri : `azureml:${input.name}:${input.version}`;
}

/** `<endpoint>-<yyyymmddhhmmss>-<random>`, readable and sortable. */
export function newJobName(endpoint: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${endpoint.toLowerCase()}-${stamp}-${randomBytes(3).toString("hex")}`;
}

/** The same key on the same endpoint (the same registry row, not just the name) names the same job. */
export function keyedJobName(endpoint: string, endpointId: string, key: string): string {
  const digest = createHash("sha256").update(`${endpointId}\n${key}`).digest("hex").slice(0, 16);
  return `${endpoint.toLowerCase()}-${digest}`;
}
