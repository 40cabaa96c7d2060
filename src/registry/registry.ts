import type { z } from "zod";
import { type DataAsset, dataAssetSchema, type Model, modelSchema } from "../spec/resources.js";
import type { SettingLimits } from "../spec/setting-limits.js";
import { type ArtifactStore, createArtifactStore } from "./artifacts.js";
import { type ComputeRegistry, createComputes } from "./computes.js";
import { createDatastores, type DatastoreRegistry } from "./datastores.js";
import { createDeployments, type DeploymentRegistry, type ModelInput } from "./deployments.js";
import { createEndpointKeys, type EndpointKeyRegistry } from "./endpoint-keys.js";
import { createEndpoints, type EndpointRegistry } from "./endpoints.js";
import { createRegistryTables, type RegistryDependencies } from "./registry-tables.js";
import { createVersionedAssets, type VersionedAssetRegistry } from "./versioned-assets.js";

export type { ArtifactFile } from "../spec/artifact-manifest.js";
export type { PutArtifactResult, StagedFile } from "./artifacts.js";
export type { ComputeInput, ComputeRegistry } from "./computes.js";
export type { DatastoreInput } from "./datastores.js";
export type { CreateDeploymentOptions, DeploymentInput, ModelInput } from "./deployments.js";
export type { EndpointKeyInfo, IssuedKeys, KeyType } from "./endpoint-keys.js";
export type { EndpointInput } from "./endpoints.js";
export type { UpdateOptions } from "./read-modify-write.js";
export type { RegistryRecord } from "./record.js";
export type { RegistryDependencies } from "./registry-tables.js";

export type DataAssetInput = z.input<typeof dataAssetSchema>;

/**
 * The registry: endpoints, deployments, models, data assets and datastores as Table Storage rows,
 * and content-addressed artifacts in Blob Storage. Every read returns a `RegistryRecord` carrying
 * the ETag that `update(..., { ifMatch })` checks.
 */
export interface Registry extends ArtifactStore {
  /**
   * Creates the tables and containers and registers the built-in datastores. Idempotent and safe
   * when several instances run it at once; every operation also prepares what it needs on first use.
   */
  ensureRegistry(): Promise<void>;
  endpoints: EndpointRegistry;
  /** Keys of `auth_mode: key` endpoints (hashes only). */
  endpointKeys: EndpointKeyRegistry;
  deployments: DeploymentRegistry;
  models: VersionedAssetRegistry<Model, ModelInput>;
  data: VersionedAssetRegistry<DataAsset, DataAssetInput>;
  datastores: DatastoreRegistry;
  /** Compute targets deployments name; their `max_instances` bounds instance counts. */
  computes: ComputeRegistry;
  /** The bounds this host puts on the settings that size resources (from the configuration). */
  limits: SettingLimits;
}

/** Builds the registry from the storage clients and configuration. */
export function createRegistry(deps: RegistryDependencies): Registry {
  const { clients, config } = deps;
  const tables = createRegistryTables(deps);
  const artifactsContainer = clients.blob.getContainerClient(config.containers.artifacts);
  const artifacts = createArtifactStore(artifactsContainer);
  const datastores = createDatastores({ store: tables.datastores, config });
  const models = createVersionedAssets<Model, ModelInput>({
    store: tables.models,
    schema: modelSchema,
    usedBy: (name, version) => deployments.usingModel(name, version),
  });
  const deployments = createDeployments({ tables, models });

  let prepared: Promise<void> | undefined;
  const ensureRegistry = (): Promise<void> => {
    prepared ??= (async () => {
      await Promise.all([
        ...Object.values(tables).map((store) => store.ensure()),
        artifactsContainer.createIfNotExists(),
        clients.blob.getContainerClient(config.containers.data).createIfNotExists(),
      ]);
      await datastores.ensureDefaults();
    })().catch((thrown: unknown) => {
      prepared = undefined;
      throw thrown;
    });
    return prepared;
  };
  const ready =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await ensureRegistry();
      return fn(...args);
    };

  return {
    ensureRegistry,
    endpoints: createEndpoints(tables),
    endpointKeys: createEndpointKeys(tables),
    deployments,
    models,
    data: createVersionedAssets<DataAsset, DataAssetInput>({ store: tables.data, schema: dataAssetSchema }),
    datastores: {
      create: ready(datastores.create),
      show: ready(datastores.show),
      list: ready(datastores.list),
      update: ready(datastores.update),
      delete: ready(datastores.delete),
      ensureDefaults: ready(datastores.ensureDefaults),
    },
    computes: createComputes(tables.computes),
    putArtifact: ready(artifacts.putArtifact),
    downloadArtifact: ready(artifacts.downloadArtifact),
    commitStaged: ready(artifacts.commitStaged),
    limits: config.limits,
  };
}
