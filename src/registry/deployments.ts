import type { z } from "zod";
import { BatchfnError, errors } from "../errors.js";
import {
  type Deployment,
  deploymentSchema,
  type Endpoint,
  type Model,
  type ModelReference,
  modelSchema,
} from "../spec/resources.js";
import { deleteDeployment, makeDefault } from "./default-deployment.js";
import {
  deploymentKey,
  isMember,
  memberDeployments,
  requireDeployment,
  requireEndpoint,
} from "./endpoint-membership.js";
import { readModifyWrite, type UpdateOptions } from "./read-modify-write.js";
import { parseResource, type RegistryRecord, requireUnchanged, toRecord } from "./record.js";
import type { RegistryTables } from "./registry-tables.js";
import type { RowKey, StoredRow } from "./table-store.js";
import { LATEST } from "./version-order.js";
import type { VersionedAssetRegistry } from "./versioned-assets.js";

export type DeploymentInput = z.input<typeof deploymentSchema>;
export type ModelInput = z.input<typeof modelSchema>;

export interface CreateDeploymentOptions {
  /** Make it the endpoint's default (like `--set-default`); the first deployment always becomes it. */
  setDefault?: boolean;
  /** An inline model to register first (idempotently); it must be the one `model` refers to. */
  model?: ModelInput;
}

/**
 * Batch deployments, each belonging to one endpoint. The model a deployment refers to must be
 * registered; `latest` is resolved to a concrete version when the deployment is written.
 */
export interface DeploymentRegistry {
  create(input: DeploymentInput, options?: CreateDeploymentOptions): Promise<RegistryRecord<Deployment>>;
  show(endpoint: string, name: string): Promise<RegistryRecord<Deployment>>;
  list(endpoint: string): Promise<RegistryRecord<Deployment>[]>;
  update(
    endpoint: string,
    name: string,
    change: (current: Deployment) => DeploymentInput,
    options?: UpdateOptions,
  ): Promise<RegistryRecord<Deployment>>;
  /** Deletes a deployment; `DeploymentIsDefault` when it is its endpoint's default. */
  delete(endpoint: string, name: string): Promise<void>;
  /** Names a deployment that uses the model version (`deployment 'e/d'`), if any does. */
  usingModel(name: string, version: string): Promise<string | undefined>;
}

/** Builds the deployment registry; `models` checks and registers the models deployments use. */
export function createDeployments(options: {
  tables: RegistryTables;
  models: VersionedAssetRegistry<Model, ModelInput>;
}): DeploymentRegistry {
  const { tables, models } = options;
  const store = tables.deployments;
  const kind = store.kind;

  const resolveModel = async (deployment: Deployment): Promise<ModelReference> => {
    const { name, version } = deployment.model;
    try {
      const model = await models.show(name, version);
      return { name, version: model.resource.version };
    } catch (thrown) {
      if (!(thrown instanceof BatchfnError && thrown.code === "NotFound")) throw thrown;
      throw errors.invalidReference(
        `Model '${name}:${version}' used by batch deployment '${deployment.endpoint_name}/${deployment.name}' is not registered; register it first.`,
      );
    }
  };

  const registerInline = async (deployment: Deployment, input: ModelInput): Promise<void> => {
    const model = parseResource(modelSchema, input, "Model");
    const ref = deployment.model;
    if (model.name !== ref.name || (ref.version !== LATEST && ref.version !== model.version)) {
      throw errors.invalidSpec(
        `The inline model '${model.name}:${model.version}' is not the model '${ref.name}:${ref.version}' the deployment refers to.`,
        [{ path: "model", message: `refers to '${ref.name}:${ref.version}'` }],
      );
    }
    await models.create(model);
  };

  /** Inserts the row, taking over the name from an invisible row left by a deleted namesake endpoint. */
  const insertOrReplaceStale = async (
    endpoint: StoredRow<Endpoint>,
    key: RowKey,
    deployment: Deployment,
  ): Promise<StoredRow<Deployment>> => {
    try {
      return await store.insert(key, deployment, { parentId: endpoint.meta.id });
    } catch (thrown) {
      if (!(thrown instanceof BatchfnError && thrown.code === "AlreadyExists")) throw thrown;
      const existing = await store.get(key);
      if (!existing || isMember(endpoint, existing)) throw thrown;
      await store.remove(existing.key, existing.etag);
      return store.insert(key, deployment, { parentId: endpoint.meta.id });
    }
  };

  return {
    async create(input, createOptions = {}) {
      const parsed = parseResource(deploymentSchema, input, kind);
      const endpoint = await requireEndpoint(tables, parsed.endpoint_name);
      if (createOptions.model) await registerInline(parsed, createOptions.model);
      const deployment = { ...parsed, model: await resolveModel(parsed) };
      const key = deploymentKey(endpoint.key.rowKey, deployment.name);
      const row = await insertOrReplaceStale(endpoint, key, deployment);
      if (createOptions.setDefault || endpoint.resource.defaults.deployment_name === undefined) {
        await makeDefault(tables, endpoint, deployment.name, { onlyIfUnset: !createOptions.setDefault });
      }
      return toRecord(row);
    },
    async show(endpoint, name) {
      return toRecord(await requireDeployment(tables, await requireEndpoint(tables, endpoint), name));
    },
    async list(endpoint) {
      const rows = await memberDeployments(tables, await requireEndpoint(tables, endpoint));
      return rows.sort((a, b) => a.key.rowKey.localeCompare(b.key.rowKey)).map(toRecord);
    },
    async update(endpointName, name, change, updateOptions) {
      const endpoint = await requireEndpoint(tables, endpointName);
      const key = deploymentKey(endpointName, name);
      const row = await readModifyWrite(
        store,
        key,
        async (current) => {
          if (!isMember(endpoint, current)) throw errors.notFound(kind, store.describe(key));
          const next = parseResource(deploymentSchema, change(current.resource), kind);
          requireUnchanged(kind, "name", name, next.name);
          requireUnchanged(kind, "endpoint_name", endpointName, next.endpoint_name);
          const sameModel =
            next.model.name === current.resource.model.name &&
            next.model.version === current.resource.model.version;
          return { resource: sameModel ? next : { ...next, model: await resolveModel(next) } };
        },
        updateOptions,
      );
      return toRecord(row);
    },
    async delete(endpoint, name) {
      await deleteDeployment(tables, endpoint, name);
    },
    async usingModel(name, version) {
      const [endpoints, deployments] = await Promise.all([tables.endpoints.list(), store.list()]);
      const ids = new Map(endpoints.map((row) => [row.key.rowKey, row.meta.id]));
      const user = deployments.find(
        (row) =>
          row.meta.parentId === ids.get(row.key.partitionKey) &&
          row.resource.model.name === name &&
          row.resource.model.version === version,
      );
      return user ? `batch deployment '${store.describe(user.key)}'` : undefined;
    },
  };
}
