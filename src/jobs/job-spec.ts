import { z } from "zod";
import { errors } from "../errors.js";
import { defaultNamedOutputPath, defaultOutputPath } from "../io/output/output-location.js";
import { outputLocationSchema } from "../io/output/output-target.js";
import type { InvokeOverrides, InvokeRequest } from "../spec/invoke.schema.js";
import { literalType, literalValue } from "../spec/job-io.schema.js";
import { recordSettingsProblems } from "../spec/record-settings.js";
import {
  type Deployment,
  type DeploymentSettings,
  defaultOutputFileName,
  deploymentSchema,
  deploymentSettingsSchema,
  type Model,
  modelSchema,
} from "../spec/resources.js";
import {
  checkSettingLimits,
  deploymentPath,
  invokePath,
  limitedValues,
  type SettingLimits,
} from "../spec/setting-limits.js";
import { chooseJobIO } from "./job-io.js";

/**
 * Everything a job needs, fixed when it is invoked: a snapshot of the deployment and its model (so a
 * later update of the deployment does not change a running job), the input, the output and the
 * merged settings. Stored once as `<job>/spec.json` in the jobs container; activities read it by the
 * job's name, so only the name travels through orchestration history.
 */
export const jobInputSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("uri"), uri: z.string(), type: z.enum(["uri_file", "uri_folder"]).optional() }),
  z.object({ kind: z.literal("data"), name: z.string(), version: z.string() }),
]);

/** An input besides the default: data (handed to the script as a local path) or a literal (as its value). */
export const jobSideInputSchema = z.discriminatedUnion("kind", [
  ...jobInputSchema.options,
  z.object({ kind: z.literal("literal"), type: literalType, value: literalValue }),
]);
export type JobSideInput = z.infer<typeof jobSideInputSchema>;

/** A named output beyond `score`: a folder the script writes into, claimed for the job like `output`. */
export const jobNamedOutputSchema = z.object({
  path: z.string(),
  location: outputLocationSchema.optional(),
});

export const jobSpecSchema = z.object({
  name: z.string(),
  endpoint_name: z.string(),
  /** The id of the endpoint's registry row (see `EndpointIdentity`); absent on older specs. */
  endpoint_id: z.string().optional(),
  deployment_name: z.string(),
  created_at: z.string(),
  deployment: deploymentSchema,
  model: modelSchema,
  input: jobInputSchema,
  /** The default input's name, when it was given by name (`inputs.<name>`, `InputData`). */
  input_name: z.string().optional(),
  /** The other named inputs; absent on jobs without any. */
  inputs: z.record(z.string(), jobSideInputSchema).optional(),
  output: z.object({
    /** Output folder, `azureml://datastores/<ds>/paths/<folder>/`. */
    path: z.string(),
    overwrite: z.boolean(),
    /**
     * Where `path` resolved when the job was submitted and its folder claimed (output-folders.ts);
     * the job writes there, whatever the datastore points at later.
     */
    location: outputLocationSchema.optional(),
  }),
  /** Named outputs beyond `score`; absent on jobs without any. */
  outputs: z.record(z.string(), jobNamedOutputSchema).optional(),
  settings: deploymentSettingsSchema,
  instance_count: z.number().int().min(1),
  /** The job this one re-runs (`POST /api/jobs/{job}/rerun`): all its items, or only those its errors.jsonl lists. */
  rerun_of: z.object({ job: z.string(), failed_only: z.boolean() }).optional(),
});
export type JobSpec = z.infer<typeof jobSpecSchema>;

/**
 * A deployment's settings with an invocation's overrides on top (`retry_settings` merged by key).
 * An invocation that changes the output format without naming a file gets the new format's default
 * name when the deployment had its own format's default (`predictions.csv` → `predictions.parquet`).
 */
export function mergeSettings(settings: DeploymentSettings, overrides: InvokeOverrides): DeploymentSettings {
  const { instance_count: _ignored, retry_settings, ...rest } = overrides;
  const format = rest.output_format;
  const renamed =
    format !== undefined &&
    rest.output_file_name === undefined &&
    settings.output_file_name === defaultOutputFileName(settings.output_format)
      ? { output_file_name: defaultOutputFileName(format) }
      : {};
  return deploymentSettingsSchema.parse({
    ...settings,
    ...rest,
    ...renamed,
    retry_settings: { ...settings.retry_settings, ...retry_settings },
  });
}

export interface JobSpecOptions {
  name: string;
  /** The id of the endpoint's registry row: the job belongs to this endpoint, not to its name. */
  endpointId: string;
  now: Date;
  deployment: Deployment;
  model: Model;
  request: InvokeRequest;
}

/**
 * The job's spec from its deployment and invocation: the default input chosen and every named input
 * and output checked against the deployment (`chooseJobIO`), named outputs without a path given
 * their default folders. Record settings the merged settings cannot have together
 * (`recordSettingsProblems`) are `InvalidSpec`, naming the field as the invocation wrote it when it
 * gave it, else as the deployment holds it.
 */
export function buildJobSpec(options: JobSpecOptions): JobSpec {
  const { deployment } = options;
  const io = chooseJobIO(options.request, deployment);
  const request = io.score?.fileName
    ? { ...options.request, overrides: { ...options.request.overrides, output_file_name: io.score.fileName } }
    : options.request;
  const outputPath = request.outputPath ?? io.score?.outputPath ?? defaultOutputPath(options.name);
  const outputs = Object.entries(io.outputs).map(([name, output]) => [
    name,
    { path: folderPath(output.path ?? defaultNamedOutputPath(options.name, name)) },
  ]);
  const settings = mergeSettings(deployment.settings, request.overrides);
  const problems = recordSettingsProblems(settings, {
    scoringScript: deployment.code_configuration !== undefined,
    pathOf: (key) => (key in request.overrides ? key : `settings.${key} of the deployment`),
  });
  if (problems.length > 0) {
    throw errors.invalidSpec(
      `The invocation of batch deployment '${deployment.endpoint_name}/${deployment.name}' has settings that do not go together: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}.`,
      problems,
    );
  }
  return jobSpecSchema.parse({
    name: options.name,
    endpoint_name: deployment.endpoint_name,
    endpoint_id: options.endpointId,
    deployment_name: deployment.name,
    created_at: options.now.toISOString(),
    deployment,
    model: options.model,
    input: io.input,
    input_name: io.inputName,
    inputs: Object.keys(io.inputs).length > 0 ? io.inputs : undefined,
    output: { path: folderPath(outputPath), overwrite: request.overwrite },
    outputs: outputs.length > 0 ? Object.fromEntries(outputs) : undefined,
    settings,
    instance_count: request.overrides.instance_count ?? deployment.resources.instance_count,
  });
}

/** A job's data input as the input resolver takes it (`resolveInput`). */
export function inputReference(input: z.infer<typeof jobInputSchema>): {
  uri: string;
  type?: "uri_file" | "uri_folder";
} {
  return input.kind === "uri"
    ? { uri: input.uri, type: input.type }
    : { uri: `azureml:${input.name}:${input.version}` };
}

/** An output path as a folder: ending with `/`. */
export function folderPath(path: string): string {
  return path.endsWith("/") ? path : `${path}/`;
}

/**
 * Throws `LimitExceeded` when the job asks for more than this host allows. At invocation
 * (`overrides` given) a setting the body gave is named as the body wrote it (`retry_settings.timeout`),
 * one that came from the deployment as the deployment holds it (`settings.retry_settings.timeout`);
 * a stored job names its spec's fields.
 */
export function checkJobLimits(spec: JobSpec, limits: SettingLimits, overrides?: InvokeOverrides): void {
  const given = overrides ? limitedValues(overrides, overrides.instance_count) : {};
  const deployment = `batch deployment '${spec.endpoint_name}/${spec.deployment_name}'`;
  checkSettingLimits(limitedValues(spec.settings, spec.instance_count), limits, {
    what: overrides ? `The invocation of ${deployment}` : `Job '${spec.name}'`,
    pathOf: (setting) => {
      if (given[setting] !== undefined) return invokePath(setting);
      return overrides ? deploymentPath(setting) : deploymentPath(setting, "instance_count");
    },
  });
}
