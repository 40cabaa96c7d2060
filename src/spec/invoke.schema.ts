import { z } from "zod";
import type { ErrorDetail } from "../errors.js";
import { parseAssetReference } from "./asset-reference.js";
import { settingsFields } from "./deployment-settings.schema.js";
import { compact, isMapping } from "./fields.js";
import { jobName, outputFileName, outputFileNameProblem, pathText } from "./names.js";
import { resourceName } from "./resources.js";
import { invalidDocument, validate } from "./spec-validation.js";

/**
 * The invocation of a batch endpoint (`POST {scoring_uri}`), in batchfn's own body or in the two Azure
 * ML REST bodies, read into one `InvokeRequest`.
 */

/** Where a job's input is. */
export type InvokeInput =
  | { kind: "uri"; uri: string; type?: "uri_file" | "uri_folder" }
  | { kind: "data"; name: string; version: string };

/** The settings an invocation may override; unset ones come from the deployment. */
export const invokeOverrides = z.strictObject({
  ...settingsFields,
  instance_count: z.number().int().min(1).optional(),
});
export type InvokeOverrides = z.infer<typeof invokeOverrides>;

export interface InvokeRequest {
  input: InvokeInput;
  /** Output folder (`azureml://datastores/<ds>/paths/<p>`); absent: batchfn's default for the job. */
  outputPath?: string;
  overwrite: boolean;
  overrides: InvokeOverrides;
  jobName?: string;
  deploymentName?: string;
}

const inputType = z.enum(["uri_file", "uri_folder"]);

const batchfnBody = z.strictObject({
  input: z.union([pathText, z.strictObject({ path: pathText, type: inputType.optional() })]),
  input_type: inputType.optional(),
  output_path: pathText.optional(),
  overwrite: z.boolean().default(false),
  job_name: jobName.optional(),
  deployment_name: resourceName.optional(),
  ...invokeOverrides.shape,
});

const dataUrl = z.object({ dataInputType: z.literal("DataUrl"), Path: pathText });
const datasetVersion = z.object({
  dataInputType: z.literal("DatasetVersion"),
  datasetName: z.string().min(1),
  datasetVersion: z.union([z.string().min(1), z.number().int()]).transform(String),
});
const outputDataset = z.object({ datastoreId: pathText.optional(), path: pathText });
const jobInput = z.object({
  JobInputType: z.enum(["UriFolder", "UriFile", "uri_folder", "uri_file"]),
  Uri: pathText,
});
const jobOutput = z.object({
  JobOutputType: z.enum(["UriFolder", "UriFile", "uri_folder", "uri_file"]),
  Uri: pathText,
});

const amlProperties = z.object({
  dataset: z.discriminatedUnion("dataInputType", [dataUrl, datasetVersion]).optional(),
  outputDataset: outputDataset.optional(),
  outputFileName: outputFileName.optional(),
  InputData: z.record(z.string(), jobInput).optional(),
  OutputData: z.record(z.string(), jobOutput).optional(),
});
const amlBody = z.object({
  properties: amlProperties,
  outputDataset: outputDataset.optional(),
  outputFileName: outputFileName.optional(),
});

/** Reads an invocation body; throws `InvalidSpec` listing every problem with its path. */
export function parseInvokeBody(body: unknown): InvokeRequest {
  if (!isMapping(body)) throw invalidDocument("invocation", [{ message: "the body must be a JSON object" }]);
  return "properties" in body ? readAmlBody(body) : readBatchfnBody(body);
}

function readBatchfnBody(body: unknown): InvokeRequest {
  const checked = validate(batchfnBody, body);
  if (!checked.ok) throw invalidDocument("invocation", checked.details);
  const { input, input_type, output_path, overwrite, job_name, deployment_name, ...overrides } =
    checked.value;
  const details: ErrorDetail[] = [];
  const parsedInput = readInput(
    typeof input === "string" ? input : input.path,
    typeof input === "string" ? input_type : (input.type ?? input_type),
    "input",
    details,
  );
  if (details.length > 0 || parsedInput === undefined) throw invalidDocument("invocation", details);
  return {
    input: parsedInput,
    outputPath: output_path,
    overwrite,
    overrides: compact(overrides),
    jobName: job_name,
    deploymentName: deployment_name,
  };
}

function readAmlBody(body: unknown): InvokeRequest {
  const checked = validate(amlBody, body);
  if (!checked.ok) throw invalidDocument("invocation", checked.details);
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
  } else if (properties.InputData) {
    const entries = Object.entries(properties.InputData);
    const [name, first] = entries[0] ?? [];
    if (entries.length !== 1 || !first) {
      details.push({ path: "properties.InputData", message: "must hold exactly one input" });
    } else {
      input = readInput(
        first.Uri,
        first.JobInputType.toLowerCase().includes("file") ? "uri_file" : "uri_folder",
        `properties.InputData.${name}.Uri`,
        details,
      );
    }
  } else {
    details.push({ path: "properties.dataset", message: "is required (or properties.InputData)" });
  }

  let outputPath: string | undefined;
  const overrides: InvokeOverrides = {};
  const dataset = properties.outputDataset ?? checked.value.outputDataset;
  if (dataset) outputPath = datastorePath(dataset.datastoreId, dataset.path);
  const fileName = properties.outputFileName ?? checked.value.outputFileName;
  if (fileName) overrides.output_file_name = fileName;
  if (properties.OutputData) {
    const outputs = Object.entries(properties.OutputData);
    const [name, first] = outputs[0] ?? [];
    if (outputs.length !== 1 || !first) {
      details.push({ path: "properties.OutputData", message: "must hold exactly one output" });
    } else if (first.JobOutputType.toLowerCase().includes("file")) {
      const slash = first.Uri.lastIndexOf("/");
      outputPath = first.Uri.slice(0, slash + 1);
      overrides.output_file_name = first.Uri.slice(slash + 1);
      const problem = overrides.output_file_name
        ? outputFileNameProblem(overrides.output_file_name)
        : "a UriFile output must end with a file name";
      if (problem) details.push({ path: `properties.OutputData.${name}.Uri`, message: problem });
    } else {
      outputPath = first.Uri;
    }
  }
  if (details.length > 0 || input === undefined) throw invalidDocument("invocation", details);
  return { input, outputPath, overwrite: false, overrides };
}

/** An input as written: a URI (`azureml://...`, `https://...`) or a data asset (`azureml:name:version`). */
function readInput(
  text: string,
  type: "uri_file" | "uri_folder" | undefined,
  path: string,
  details: ErrorDetail[],
): InvokeInput | undefined {
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
