import { errors } from "../../errors.js";
import type { Registry, RegistryRecord } from "../../registry/registry.js";
import type { Deployment } from "../../spec/resources.js";
import type { CheckedDeployment } from "./check-deployment.js";
import { findRecord } from "./preconditions.js";

export interface StoreDeploymentOptions {
  /** The deployment of that name as read before the checks, when there is one: it is replaced. */
  existing?: RegistryRecord<Deployment>;
  /** The ETag the replaced deployment must still carry. */
  ifMatch?: string;
  /** Make it its endpoint's default. */
  setDefault?: boolean;
}

/**
 * Stores a checked deployment: creates it (the first of its endpoint becomes the default), or
 * replaces the existing one of that name. An inline model is registered first (idempotently).
 */
export async function storeDeployment(
  registry: Registry,
  checked: CheckedDeployment,
  options: StoreDeploymentOptions = {},
): Promise<{ record: RegistryRecord<Deployment>; created: boolean }> {
  const { deployment, inlineModel } = checked;
  const setDefault = options.setDefault ?? false;
  if (!options.existing) {
    const record = await registry.deployments.create(deployment, { setDefault, model: inlineModel });
    return { record, created: true };
  }
  if (inlineModel) await registry.models.create(inlineModel);
  const record = await registry.deployments.update(
    deployment.endpoint_name,
    deployment.name,
    () => deployment,
    {
      ifMatch: options.ifMatch,
    },
  );
  if (setDefault) await registry.endpoints.setDefaultDeployment(deployment.endpoint_name, deployment.name);
  return { record, created: false };
}

/**
 * Refuses, before anything is written, an inline model whose `name:version` is registered with
 * other content (`AlreadyExists`): registering it with the deployment would fail half-way.
 */
export async function requireInlineModelsFree(
  registry: Registry,
  checked: readonly CheckedDeployment[],
): Promise<void> {
  for (const { inlineModel } of checked) {
    if (!inlineModel) continue;
    const existing = await findRecord(registry.models.show(inlineModel.name, inlineModel.version));
    const stored = existing?.resource;
    if (stored && (stored.type !== inlineModel.type || stored.path !== inlineModel.path)) {
      throw errors.alreadyExists("Model", `${inlineModel.name}:${inlineModel.version}`);
    }
  }
}
