import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { BatchfnError, errors } from "../errors.js";
import { checkDeploymentRuns } from "../scoring/deployment-assets.js";
import type { ArtifactFile } from "../spec/artifact-manifest.js";
import { inlineCondaFiles } from "../spec/conda-file.js";
import { type ParsedDeployment, parseDeploymentDocument } from "../spec/deployment.schema.js";
import { parseEndpointDocument } from "../spec/endpoint.schema.js";
import type { Deployment, Endpoint, Model } from "../spec/resources.js";
import { checkSettingLimits, deploymentPath, limitedValues } from "../spec/setting-limits.js";
import type { RegistryRecord } from "./record.js";
import type { Registry } from "./registry.js";

/**
 * Registers endpoints and deployments from YAML files on this machine, the way the CLI does: local
 * model and code folders named in the files are uploaded as content-addressed artifacts first, then
 * the deployment is checked (its script bundles, or its model is ONNX) before it is stored.
 */

export interface RegisterOptions {
  registry: Registry;
  /** Scratch space for the check that a deployment runs. */
  workDir: string;
  /** The interpreter Python deployments are checked with (`BATCHFN_PYTHON`); default `python3`. */
  pythonInterpreter?: string;
}

export interface RegisteredDeployment {
  record: RegistryRecord<Deployment>;
  warnings: string[];
}

/** Creates (or keeps) the endpoint of a v2 or 2021 file; a 2021 file's inline deployments are created too. */
export async function registerEndpointFile(
  file: string,
  options: RegisterOptions,
): Promise<{ endpoint: RegistryRecord<Endpoint>; deployments: RegisteredDeployment[]; warnings: string[] }> {
  const parsed = parseEndpointDocument(await readFile(file, "utf8"), { source: file });
  const { defaults, ...endpoint } = parsed.endpoint;
  const existing = await options.registry.endpoints.list();
  if (!existing.some((record) => record.resource.name === endpoint.name)) {
    await options.registry.endpoints.create(endpoint);
  }
  const deployments: RegisteredDeployment[] = [];
  for (const deployment of parsed.deployments) {
    deployments.push(await registerParsedDeployment(deployment, dirname(file), options, false));
  }
  const warnings = [...parsed.warnings];
  const wanted = defaults.deployment_name;
  const present = await options.registry.deployments.list(endpoint.name);
  let record = await options.registry.endpoints.show(endpoint.name);
  if (wanted && present.some((d) => d.resource.name === wanted)) {
    record = await options.registry.endpoints.setDefaultDeployment(endpoint.name, wanted);
  } else if (wanted) {
    warnings.push(
      `defaults.deployment_name: '${wanted}' does not exist yet; the first deployment created becomes the default (or use --set-default)`,
    );
  }
  return { endpoint: record, deployments, warnings };
}

/** Creates a deployment from a v2 or 2021 deployment file. */
export async function registerDeploymentFile(
  file: string,
  options: RegisterOptions & { endpointName?: string; setDefault?: boolean },
): Promise<RegisteredDeployment> {
  const parsed = parseDeploymentDocument(await readFile(file, "utf8"), {
    source: file,
    endpointName: options.endpointName,
  });
  return registerParsedDeployment(parsed, dirname(file), options, options.setDefault ?? false);
}

async function registerParsedDeployment(
  parsed: ParsedDeployment,
  baseDir: string,
  options: RegisterOptions,
  setDefault: boolean,
): Promise<RegisteredDeployment> {
  const { registry } = options;
  let deployment = parsed.deployment;
  const code = deployment.code_configuration;
  if (code && isLocalPath(code.code)) {
    deployment = {
      ...deployment,
      code_configuration: { ...code, code: await uploadLocal(registry, baseDir, code.code) },
    };
  }
  const environment = { code_configuration: code, ...structuredClone(deployment.accepted_not_used) };
  await inlineCondaFiles(environment, (path) => readFile(resolve(baseDir, path), "utf8"));
  const { code_configuration: _code, ...accepted_not_used } = environment;
  deployment = { ...deployment, accepted_not_used };
  let inlineModel = parsed.inlineModel;
  if (inlineModel && isLocalPath(inlineModel.path))
    inlineModel = { ...inlineModel, path: await uploadLocal(registry, baseDir, inlineModel.path) };
  return createCheckedDeployment({ ...parsed, deployment, inlineModel }, { ...options, setDefault });
}

/** A deployment that passed `checkParsedDeployment`, ready to be stored. */
export interface CheckedDeployment {
  deployment: Deployment;
  /** The inline model to register together with the deployment. */
  inlineModel?: Model;
  /** The parser's notes and the check's warnings. */
  warnings: string[];
}

/**
 * Checks, without writing anything, that a parsed deployment whose model and code are already
 * URIs can run: its settings are within this host's bounds, its model is registered (or inline),
 * and its script bundles and exports `run`, or its no-code model is ONNX. Throws `LimitExceeded`,
 * `InvalidReference` for an unregistered model, and `InvalidScoringScript`,
 * `UnsupportedModelFlavor` or `InvalidModel` from the check.
 */
export async function checkParsedDeployment(
  parsed: ParsedDeployment,
  options: RegisterOptions,
): Promise<CheckedDeployment> {
  const { registry } = options;
  const { deployment, inlineModel } = parsed;
  checkSettingLimits(
    limitedValues(deployment.settings, deployment.resources.instance_count),
    registry.limits,
    {
      what: `Batch deployment '${deployment.endpoint_name}/${deployment.name}'`,
      pathOf: (setting) => deploymentPath(setting),
    },
  );
  const model = inlineModel ?? (await registeredModel(registry, deployment));
  const warnings = await checkDeploymentRuns({
    deployment,
    model,
    workDir: options.workDir,
    pythonInterpreter: options.pythonInterpreter,
    download: (uri, dir) => registry.downloadArtifact(uri, dir),
  });
  const checked: CheckedDeployment = { deployment, warnings: [...parsed.warnings, ...warnings] };
  return inlineModel ? { ...checked, inlineModel } : checked;
}

/**
 * Checks a parsed deployment (`checkParsedDeployment`) and creates it, registering its inline model
 * first; the server-side part of registering a deployment, shared by files and the REST API.
 */
export async function createCheckedDeployment(
  parsed: ParsedDeployment,
  options: RegisterOptions & { setDefault?: boolean },
): Promise<RegisteredDeployment> {
  const checked = await checkParsedDeployment(parsed, options);
  const record = await options.registry.deployments.create(checked.deployment, {
    setDefault: options.setDefault ?? false,
    model: checked.inlineModel,
  });
  return { record, warnings: checked.warnings };
}

async function registeredModel(registry: Registry, deployment: Deployment): Promise<Model> {
  const { name, version } = deployment.model;
  try {
    return (await registry.models.show(name, version)).resource;
  } catch (thrown) {
    if (!(thrown instanceof BatchfnError && thrown.code === "NotFound")) throw thrown;
    throw errors.invalidReference(
      `Model '${name}:${version}' used by batch deployment '${deployment.endpoint_name}/${deployment.name}' is not registered; register it first.`,
    );
  }
}

/** A path written in a file that is neither a URI nor an asset reference. */
function isLocalPath(path: string): boolean {
  return !/^(azureml:|https?:\/\/)/i.test(path);
}

/** Uploads a local file or folder (relative to the YAML file) and returns its artifact URI. */
async function uploadLocal(registry: Registry, baseDir: string, path: string): Promise<string> {
  const root = resolve(baseDir, path);
  const info = await stat(root);
  const files = info.isDirectory()
    ? await readFolder(root)
    : [{ path: basename(root), content: await readFile(root) }];
  return (await registry.putArtifact(files)).uri;
}

async function readFolder(root: string): Promise<ArtifactFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  return Promise.all(
    files.map(async (entry) => {
      const full = join(entry.parentPath, entry.name);
      return { path: relative(root, full).split(sep).join("/"), content: await readFile(full) };
    }),
  );
}
