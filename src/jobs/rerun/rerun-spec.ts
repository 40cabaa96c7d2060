import { defaultNamedOutputPath, defaultOutputPath } from "../../io/output/output-location.js";
import type { RerunBody } from "../../spec/rerun.schema.js";
import type { Deployment, Model } from "../../spec/resources.js";
import { folderPath, type JobSpec, jobSpecSchema, mergeSettings } from "../job-spec.js";

/**
 * The spec of a job that re-runs `source`: the same endpoint, input, named inputs and settings (the
 * source's merged settings, with the re-run's overrides on top), the deployment as it is now (so a
 * fixed scoring script or model is used), its own output folders (the body's `output_path`, else
 * the default for the new job; named outputs in their default folders), and `rerun_of`.
 */
export function buildRerunSpec(options: {
  name: string;
  source: JobSpec;
  now: Date;
  deployment: Deployment;
  model: Model;
  body: RerunBody;
}): JobSpec {
  const { name, source, body, deployment } = options;
  const {
    failed_only,
    job_name: _name,
    output_path,
    overwrite,
    deployment_name: _deployment,
    ...overrides
  } = body;
  const outputs =
    source.outputs &&
    Object.fromEntries(
      Object.keys(source.outputs).map((output) => [output, { path: defaultNamedOutputPath(name, output) }]),
    );
  return jobSpecSchema.parse({
    name,
    endpoint_name: source.endpoint_name,
    endpoint_id: source.endpoint_id,
    deployment_name: deployment.name,
    created_at: options.now.toISOString(),
    deployment,
    model: options.model,
    input: source.input,
    input_name: source.input_name,
    inputs: source.inputs,
    output: { path: folderPath(output_path ?? defaultOutputPath(name)), overwrite },
    outputs,
    settings: mergeSettings(source.settings, overrides),
    instance_count: overrides.instance_count ?? source.instance_count,
    rerun_of: { job: source.name, failed_only },
  });
}
