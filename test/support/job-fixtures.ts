import { buildJobSpec, type JobSpec } from "../../src/jobs/job-spec.js";
import type { JobRecord } from "../../src/jobs/records/job-records.js";
import { parseInvokeBody } from "../../src/spec/invoke.schema.js";
import { deploymentSchema, modelSchema } from "../../src/spec/resources.js";

/**
 * A job's spec as submission stores it (its output folder claimed), for a deployment `taxi/blue` of
 * model `m:1`; `body` is the invocation body (batchfn's form) over an input folder.
 */
export function jobSpec(name: string, body: Record<string, unknown> = {}, now = new Date()): JobSpec {
  const spec = buildJobSpec({
    name,
    endpointId: "ep-id",
    now,
    deployment: deploymentSchema.parse({
      name: "blue",
      endpoint_name: "taxi",
      model: { name: "m", version: "1" },
    }),
    model: modelSchema.parse({ name: "m", version: "1", path: "azureml://datastores/models/paths/m/" }),
    request: parseInvokeBody({ input: "azureml://datastores/workspaceblobstore/paths/in/", ...body }),
  });
  const location = {
    display: spec.output.path,
    store: { kind: "app" as const },
    container: "data",
    prefix: `out/${name}/`,
  };
  return { ...spec, output: { ...spec.output, location } };
}

/** The record submission creates for a spec. */
export function jobRecord(spec: JobSpec, status: JobRecord["status"] = "NotStarted"): JobRecord {
  return {
    name: spec.name,
    endpoint_name: spec.endpoint_name,
    endpoint_id: spec.endpoint_id,
    deployment_name: spec.deployment_name,
    status,
    created_at: spec.created_at,
    input: "azureml://datastores/workspaceblobstore/paths/in/",
    output_path: spec.output.path,
    output_file_name: spec.settings.output_file_name,
    chunk_size: 100,
  };
}
