import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { RegistryRecord } from "../../registry/record.js";
import type { Registry } from "../../registry/registry.js";
import type { ArtifactFile } from "../../spec/artifact-manifest.js";
import { inlineCondaFiles } from "../../spec/conda-file.js";
import { type ParsedDeployment, parseDeploymentDocument } from "../../spec/deployment.schema.js";
import { parseEndpointDocument } from "../../spec/endpoint.schema.js";
import type { Endpoint } from "../../spec/resources.js";
import {
  createCheckedDeployment,
  type RegisteredDeployment,
  type RegisterOptions,
} from "./check-deployment.js";

/**
 * Registers endpoints and deployments from YAML files on this machine, the way the CLI does: local
 * model and code folders named in the files are uploaded as content-addressed artifacts first, then
 * the deployment is checked (its script bundles, or its model is ONNX) before it is stored.
 */

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
