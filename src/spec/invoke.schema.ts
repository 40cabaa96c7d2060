import { z } from "zod";
import { type ErrorDetail, errors } from "../errors.js";
import { parseAssetReference } from "./asset-reference.js";
import { settingsFields } from "./deployment-settings.schema.js";
import { compact, isMapping } from "./fields.js";
import { type JobLabels, jobLabels } from "./job.schema.js";
import {
  type DataInput,
  inputEntry,
  ioName,
  type LiteralValue,
  literalTypeOf,
  literalValue,
  type NamedInput,
  type NamedOutput,
  outputEntry,
  readInputEntry,
  SCORE_OUTPUT,
} from "./job-io.schema.js";
import { jobName, outputFileName, outputFileNameProblem, pathText } from "./names.js";
import { resourceName } from "./resources.js";
import { invalidDocument, validate } from "./spec-validation.js";

/**
 * The invocation of a batch endpoint (`POST {scoring_uri}`), in batchfn's own body or in the two Azure
 * ML REST bodies, read into one `InvokeRequest`.
 */

/** Where a job's input is. */
export type InvokeInput = DataInput;

/** The settings an invocation may override; unset ones come from the deployment. */
export const invokeOverrides = z.strictObject({
  ...settingsFields,
  instance_count: z.number().int().min(1).optional(),
});
export type InvokeOverrides = z.infer<typeof invokeOverrides>;

export interface InvokeRequest {
  /**
   * The input given without a name (batchfn's `input`, Azure ML's `dataset`, `--input`): the job's
   * default input, whose items the mini-batches are cut from.
   */
  input?: InvokeInput;
  /** Inputs given by name (inputs.yml, `InputData`): data inputs and literals; the default among them is chosen with the deployment. */
  inputs?: Record<string, NamedInput>;
  /** Outputs given by name besides `score` (folders a scoring script writes into). */
  outputs?: Record<string, NamedOutput>;
  /** Output folder (`azureml://datastores/<ds>/paths/<p>`); absent: batchfn's default for the job. */
  outputPath?: string;
  overwrite: boolean;
  overrides: InvokeOverrides;
  jobName?: string;
  deploymentName?: string;
  /** `display_name`, `experiment_name`, `tags` of the job. */
  labels?: JobLabels;
}

const inputType = z.enum(["uri_file", "uri_folder"]);

const batchfnBody = z.strictObject({
  input: z.union([pathText, z.strictObject({ path: pathText, type: inputType.optional() })]).optional(),
  input_type: inputType.optional(),
  inputs: z.record(ioName, inputEntry).optional(),
  outputs: z.record(ioName, outputEntry).optional(),
  output_path: pathText.optional(),
  overwrite: z.boolean().default(false),
  job_name: jobName.optional(),
  deployment_name: resourceName.optional(),
  ...jobLabels.shape,
  ...invokeOverrides.shape,
});

const dataUrl = z.object({ dataInputType: z.literal("DataUrl"), Path: pathText });
const datasetVersion = z.object({
  dataInputType: z.literal("DatasetVersion"),
  datasetName: z.string().min(1),
  datasetVersion: z.union([z.string().min(1), z.number().int()]).transform(String),
});
const outputDataset = z.object({ datastoreId: pathText.optional(), path: pathText });
const jobDataInput = z.object({
  JobInputType: z.enum(["UriFolder", "UriFile", "uri_folder", "uri_file"]),
  Uri: pathText,
});
const jobLiteralInput = z.object({ JobInputType: z.enum(["Literal", "literal"]), Value: literalValue });
const jobInput = z.union([jobDataInput, jobLiteralInput]);
const jobOutput = z.object({
  JobOutputType: z.enum(["UriFolder", "UriFile", "uri_folder", "uri_file"]),
  Uri: pathText,
});

const amlProperties = z.object({
  dataset: z.discriminatedUnion("dataInputType", [dataUrl, datasetVersion]).optional(),
  outputDataset: outputDataset.optional(),
  outputFileName: outputFileName.optional(),
  InputData: z.record(ioName, jobInput).optional(),
  OutputData: z.record(ioName, jobOutput).optional(),
});
const amlBody = z.object({
  properties: amlProperties,
  outputDataset: outputDataset.optional(),
  outputFileName: outputFileName.optional(),
});

/** Reads an invocation body; throws `InvalidSpec` (`InvalidLiteral` for a literal of the wrong type) listing every problem with its path. */
export function parseInvokeBody(body: unknown): InvokeRequest {
  if (!isMapping(body)) throw invalidDocument("invocation", [{ message: "the body must be a JSON object" }]);
  return "properties" in body ? readAmlBody(body) : readBatchfnBody(body);
}

function readBatchfnBody(body: unknown): InvokeRequest {
  const checked = validate(batchfnBody, body);
  if (!checked.ok) throw invalidInvocation(checked.details);
  const {
    input,
    input_type,
    inputs,
    outputs,
    output_path,
    overwrite,
    job_name,
    deployment_name,
    display_name,
    experiment_name,
    tags,
    ...overrides
  } = checked.value;
  const details: ErrorDetail[] = [];
  const parsedInput =
    input === undefined
      ? undefined
      : readInput(
          typeof input === "string" ? input : input.path,
          typeof input === "string" ? input_type : (input.type ?? input_type),
          "input",
          details,
        );
  const named: Record<string, NamedInput> = {};
  for (const [name, entry] of Object.entries(inputs ?? {})) {
    const read = readInputEntry(
      entry,
      `inputs.${name}`,
      (path, type, at) => readInput(path, type, at, details),
      details,
    );
    if (read) named[name] = read;
  }
  if (input === undefined && inputs === undefined) {
    details.push({ path: "input", message: "is required (or inputs)" });
  }
  const request: InvokeRequest = {
    input: parsedInput,
    outputPath: output_path,
    overwrite,
    overrides: compact(overrides),
    jobName: job_name,
    deploymentName: deployment_name,
    labels: compact({ display_name, experiment_name, tags }),
  };
  if (inputs !== undefined) request.inputs = named;
  readOutputs(outputs ?? {}, "outputs", request, details);
  if (details.length > 0) throw invalidInvocation(details);
  return compact({ ...request });
}

function readAmlBody(body: unknown): InvokeRequest {
  const checked = validate(amlBody, body);
  if (!checked.ok) throw invalidInvocation(checked.details);
  const { properties } = checked.value;
  const details: ErrorDetail[] = [];
  let input: InvokeInput | undefined;
  if (properties.dataset?.dataInputType === "DataUrl") {
    input = { kind: "uri", uri: properties.dataset.Path };
  } else if (properties.dataset?.dataInputType === "DatasetVersion") {
    input = {
      kind: "data",
      name: properties.dataset.datasetName,
      version: properties.dataset.datasetVersion,
    };
  } else if (!properties.InputData) {
    details.push({ path: "properties.dataset", message: "is required (or properties.InputData)" });
  }
  const inputs: Record<string, NamedInput> = {};
  for (const [name, entry] of Object.entries(properties.InputData ?? {})) {
    const at = `properties.InputData.${name}`;
    if ("Value" in entry) {
      inputs[name] = literal(entry.Value);
      continue;
    }
    const type = entry.JobInputType.toLowerCase().includes("file") ? "uri_file" : "uri_folder";
    const read = readInput(entry.Uri, type, `${at}.Uri`, details);
    if (read) inputs[name] = read;
  }

  const request: InvokeRequest = { input, outputPath: undefined, overwrite: false, overrides: {} };
  if (properties.InputData) request.inputs = inputs;
  const dataset = properties.outputDataset ?? checked.value.outputDataset;
  if (dataset) request.outputPath = datastorePath(dataset.datastoreId, dataset.path);
  const fileName = properties.outputFileName ?? checked.value.outputFileName;
  if (fileName) request.overrides.output_file_name = fileName;
  const outputs = Object.entries(properties.OutputData ?? {}).map(([name, entry]) => {
    const type = entry.JobOutputType.toLowerCase().includes("file") ? "uri_file" : "uri_folder";
    return [name, { type, path: entry.Uri }] as const;
  });
  readOutputs(Object.fromEntries(outputs), "properties.OutputData", request, details);
  if (details.length > 0) throw invalidInvocation(details);
  return compact({ ...request });
}

/** A REST literal: Azure ML sends its value as text; its type is decided with the deployment's declaration. */
function literal(value: LiteralValue): NamedInput {
  return { kind: "literal", type: literalTypeOf(value), value };
}

/**
 * The `score` output sets the predictions' folder (and, as a `uri_file`, the file name); the other
 * outputs are named outputs. Problems are pushed with their path.
 */
function readOutputs(
  outputs: Record<string, NamedOutput>,
  at: string,
  request: InvokeRequest,
  details: ErrorDetail[],
): void {
  const named: Record<string, NamedOutput> = {};
  for (const [name, output] of Object.entries(outputs)) {
    if (name !== SCORE_OUTPUT) {
      named[name] = compact({ type: output.type, path: output.path });
      continue;
    }
    if (output.path === undefined) continue;
    const target = scoreOutputTarget({ type: output.type, path: output.path }, `${at}.${name}.path`, details);
    if (!target) continue;
    request.outputPath = target.outputPath;
    if (target.fileName !== undefined) request.overrides.output_file_name = target.fileName;
  }
  if (Object.keys(named).length > 0) request.outputs = named;
}

/**
 * Where the predictions go, from the `score` output: a `uri_folder` is the output folder, a
 * `uri_file` is split into its folder and the file name (`output_file_name`).
 */
export function scoreOutputTarget(
  output: { type: "uri_file" | "uri_folder"; path: string },
  at: string,
  details: ErrorDetail[],
): { outputPath: string; fileName?: string } | undefined {
  const path = fromResourceId(output.path);
  if (output.type === "uri_folder") return { outputPath: path };
  const slash = path.lastIndexOf("/");
  const fileName = path.slice(slash + 1);
  const problem = fileName ? outputFileNameProblem(fileName) : "a uri_file output must end with a file name";
  if (problem) {
    details.push({ path: at, message: problem });
    return undefined;
  }
  return { outputPath: path.slice(0, slash + 1), fileName };
}

/** `InvalidLiteral` when every problem is a literal of the wrong type, else `InvalidSpec`. */
function invalidInvocation(details: ErrorDetail[]) {
  if (details.length > 0 && details.every((detail) => detail.code === "InvalidLiteral")) {
    return errors.invalidLiteral(details);
  }
  return invalidDocument("invocation", details);
}

/** An input as written: a URI (`azureml://...`, `https://...`) or a data asset (`azureml:name:version`). */
function readInput(
  text: string,
  type: "uri_file" | "uri_folder" | undefined,
  path: string,
  details: ErrorDetail[],
): InvokeInput | undefined {
  const asset = /^\/subscriptions\/.+\/data\/([^/]+)\/versions\/([^/]+)$/i.exec(text);
  if (asset?.[1] && asset[2]) return { kind: "data", name: asset[1], version: asset[2] };
  text = fromResourceId(text);
  if (/^(azureml:\/\/|https?:\/\/)/i.test(text)) return { kind: "uri", uri: text, type };
  if (/^(azureml:)?[^:/]+:[^:/]+$/.test(text)) {
    try {
      const reference = parseAssetReference(text);
      return { kind: "data", name: reference.name, version: reference.version };
    } catch (thrown) {
      details.push({ path, message: thrown instanceof Error ? thrown.message : String(thrown) });
      return undefined;
    }
  }
  details.push({
    path,
    message: `must be a datastore URI (azureml://datastores/<ds>/paths/<path>), an https:// URL or a data asset (azureml:<name>:<version>); got '${text}' (the batchfn CLI uploads local paths first)`,
  });
  return undefined;
}

/** `/subscriptions/.../datastores/<name>` or `<name>`, and a path, as `azureml://datastores/<name>/paths/<path>`. */
function datastorePath(datastoreId: string | undefined, path: string): string {
  if (/^azureml:\/\//.test(path)) return path;
  const name = datastoreId?.split("/").filter(Boolean).pop() ?? "workspaceblobstore";
  return `azureml://datastores/${name}/paths/${path.replace(/^\/+/, "")}`;
}

/**
 * A datastore path in Azure ML's resource-id form (`/subscriptions/.../datastores/<ds>/paths/<p>`,
 * as the Azure ML docs write it) as `azureml://datastores/<ds>/paths/<p>`; anything else as it is.
 */
function fromResourceId(text: string): string {
  const match = /^\/subscriptions\/.+\/datastores\/([^/]+)\/paths\/(.*)$/i.exec(text);
  return match ? `azureml://datastores/${match[1]}/paths/${match[2]}` : text;
}
