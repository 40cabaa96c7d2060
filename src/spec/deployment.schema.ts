import type { ErrorDetail } from "../errors.js";
import { isLatestReference } from "./asset-reference.js";
import { checkDeploymentFields } from "./deployment-checks.js";
import { type DeploymentInput, deploymentInput } from "./deployment-input.schema.js";
import { SETTINGS_KEYS } from "./deployment-settings.schema.js";
import { checkAssetPath, compact, isMapping, isReferenceMapping, join } from "./fields.js";
import { checkDeclarations } from "./io-declarations.js";
import { toModel } from "./model.schema.js";
import { readDocument } from "./parse-document.js";
import { collectAcceptedNotUsed } from "./python-only.js";
import { recordSettingsProblems } from "./record-settings.js";
import {
  type Deployment,
  defaultOutputFileName,
  deploymentSchema,
  type Model,
  type ModelReference,
} from "./resources.js";
import {
  type Checked,
  type DocumentOptions,
  invalidDocument,
  toCanonical,
  validate,
} from "./spec-validation.js";

/** A deployment read from a document, with what the registry needs besides the deployment itself. */
export interface ParsedDeployment {
  /** The canonical deployment, every default applied. */
  deployment: Deployment;
  /** The model written inline (`model: {name, version, path}`): to be registered as an asset. */
  inlineModel?: Model;
  /**
   * Set when the document names `azureml:<name>@latest`: `deployment.model.version` then holds the
   * placeholder "latest", which the registry replaces with the newest registered version.
   */
  modelLabel?: "latest";
  /** "accepted, not used" notes and filled-in values, each starting with its YAML path. */
  warnings: string[];
}

export interface DeploymentDocumentOptions extends DocumentOptions {
  /** The endpoint the deployment is created under (CLI `--endpoint-name`, the URL). */
  endpointName?: string;
}

/** Where a deployment sits: a file of its own, or inline in a 2021 endpoint (`deployments.<name>`). */
export interface DeploymentPlace {
  /** YAML path of the deployment inside its document, "" for a deployment file. */
  prefix: string;
  /** The endpoint it belongs to, when known from outside the deployment. */
  endpointName?: string;
  /** For an inline deployment: the key it is listed under, its name unless it gives one. */
  listedAs?: string;
  /**
   * True inside an endpoint document: the endpoint name comes from there, and when it is missing or
   * invalid the endpoint reports it, so the deployment only reports its own problems.
   */
  insideEndpoint?: boolean;
}

/**
 * Reads one deployment (v2 or 2021 form) into its canonical shape, collecting every problem with its
 * YAML path instead of stopping at the first.
 */
export function readDeployment(written: unknown, place: DeploymentPlace): Checked<ParsedDeployment> {
  const document =
    isMapping(written) && place.listedAs !== undefined && written.name === undefined
      ? { name: place.listedAs, ...written }
      : written;
  const checked = validate(deploymentInput, document, place.prefix);
  const problems: ErrorDetail[] = checked.ok ? [] : [...checked.details];
  if (isMapping(document)) {
    checkDeploymentFields(document, place, problems);
    if (isMapping(document.model) && !isReferenceMapping(document.model))
      checkAssetPath(document.model, join(place.prefix, "model"), problems);
  }
  if (!checked.ok || problems.length > 0 || !isMapping(document)) return { ok: false, details: problems };
  if (place.insideEndpoint && place.endpointName === undefined) return { ok: false, details: [] };
  const parsed = toDeployment(checked.value, document, place, problems);
  if (!parsed || problems.length > 0) return { ok: false, details: problems };
  return { ok: true, value: parsed };
}

function toDeployment(
  input: DeploymentInput,
  document: Record<string, unknown>,
  place: DeploymentPlace,
  problems: ErrorDetail[],
): ParsedDeployment | undefined {
  const warnings: string[] = [];
  const python = input.code_configuration?.scoring_script.toLowerCase().endsWith(".py") ?? false;
  const accepted_not_used = collectAcceptedNotUsed(document, place.prefix, warnings, python);
  const modelField = readModelField(input.model, join(place.prefix, "model"), problems, warnings);
  if (!modelField) return undefined;
  const code = input.code_configuration?.code;
  const code_configuration = input.code_configuration && {
    code: typeof code === "string" ? code : (code?.local_path ?? ""),
    scoring_script: input.code_configuration.scoring_script,
  };
  const { environment_variables: settingsVariables, ...settings } = input.settings ?? {};
  const rootSettings = Object.fromEntries(SETTINGS_KEYS.map((key) => [key, input[key]]));
  const computeCount = isMapping(input.compute) ? input.compute.instance_count : undefined;
  const instanceCount = input.resources?.instance_count ?? computeCount;
  const candidate = compact({
    name: input.name,
    endpoint_name: input.endpoint_name ?? place.endpointName,
    description: input.description,
    tags: input.tags,
    model: modelField.model,
    code_configuration,
    environment_variables: { ...input.environment_variables, ...settingsVariables },
    resources: instanceCount === undefined ? undefined : { instance_count: instanceCount },
    settings: withDefaultFileName({ ...compact(rootSettings), ...compact(settings) }),
    inputs: input.inputs,
    outputs: input.outputs,
    accepted_not_used,
  });
  const deployment = toCanonical(deploymentSchema, candidate, place.prefix, problems);
  if (!deployment) return undefined;
  checkDeclarations(deployment, place.prefix, problems);
  problems.push(
    ...recordSettingsProblems(deployment.settings, {
      scoringScript: deployment.code_configuration !== undefined,
      pathOf: (key) => join(place.prefix, document[key] === undefined ? `settings.${key}` : key),
    }),
  );
  if (problems.length > 0) return undefined;
  const { inlineModel, modelLabel } = modelField;
  return compact({ deployment, inlineModel, modelLabel, warnings });
}

/** Settings as written, with the output file name of their format when they name none (`predictions.parquet`). */
function withDefaultFileName<T extends { output_format?: string; output_file_name?: string }>(
  settings: T,
): T {
  const format = settings.output_format;
  if (settings.output_file_name !== undefined || (format !== "jsonl" && format !== "parquet"))
    return settings;
  return { ...settings, output_file_name: defaultOutputFileName(format) };
}

interface ModelField {
  model: ModelReference;
  inlineModel?: Model;
  modelLabel?: "latest";
}

/** The deployment's model: a reference (text or `{name, version}`) or an inline model to register. */
function readModelField(
  written: DeploymentInput["model"],
  prefix: string,
  problems: ErrorDetail[],
  warnings: string[],
): ModelField | undefined {
  if ("reference" in written) {
    const { reference } = written;
    if (!isLatestReference(reference)) return { model: reference };
    return { model: { name: reference.name, version: "latest" }, modelLabel: "latest" };
  }
  if (written.path === undefined && written.local_path === undefined) {
    return { model: { name: written.name, version: written.version ?? "" } };
  }
  const inlineModel = toModel(written, prefix, problems, warnings);
  return inlineModel && { model: { name: inlineModel.name, version: inlineModel.version }, inlineModel };
}

/**
 * Parses a batch deployment document (YAML text or a REST body) in the v2 or the 2021 form. The
 * endpoint comes from `endpoint_name` or `options.endpointName`; when both are given they must agree.
 * Throws `InvalidSpec` listing every problem with its YAML path.
 */
export function parseDeploymentDocument(
  input: unknown,
  options: DeploymentDocumentOptions = {},
): ParsedDeployment {
  const document = readDocument(input, "batch deployment", options);
  const result = readDeployment(document, { prefix: "", endpointName: options.endpointName });
  if (!result.ok) throw invalidDocument("batch deployment", result.details, options);
  return result.value;
}
