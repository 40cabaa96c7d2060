import { BatchfnError, errors } from "../../errors.js";
import { checkComputeBound, computeWarnings } from "../../registry/compute-bound.js";
import type { RegistryRecord } from "../../registry/record.js";
import type { Registry } from "../../registry/registry.js";
import { checkDeploymentRuns } from "../../scoring/deployment-assets.js";
import type { ParsedDeployment } from "../../spec/deployment.schema.js";
import type { Deployment, Model } from "../../spec/resources.js";
import { checkSettingLimits, deploymentPath, limitedValues } from "../../spec/setting-limits.js";

/**
 * The server-side part of registering a deployment, shared by the REST API and registration from
 * files: check that it can run on this host (settings within bounds, model registered, script
 * bundles or no-code model loads), then store it.
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
 * URIs can run: its settings are within this host's bounds, its instance count within the
 * `max_instances` of the compute it names (when registered), its model is registered (or inline),
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
  const bound = await checkComputeBound(registry.computes, deployment, {
    what: `Batch deployment '${deployment.endpoint_name}/${deployment.name}'`,
    path: "resources.instance_count",
    count: deployment.resources.instance_count,
  });
  const model = inlineModel ?? (await registeredModel(registry, deployment));
  const warnings = await checkDeploymentRuns({
    deployment,
    model,
    workDir: options.workDir,
    pythonInterpreter: options.pythonInterpreter,
    download: (uri, dir) => registry.downloadArtifact(uri, dir),
  });
  const checked: CheckedDeployment = {
    deployment,
    warnings: computeWarnings([...parsed.warnings, ...warnings], bound),
  };
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
