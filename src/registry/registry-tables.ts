import { z } from "zod";
import type { Config } from "../config.js";
import { type Compute, computeSchema } from "../spec/compute.schema.js";
import {
  type DataAsset,
  type Datastore,
  type Deployment,
  dataAssetSchema,
  datastoreSchema,
  deploymentSchema,
  type Endpoint,
  endpointSchema,
  type Model,
  modelSchema,
} from "../spec/resources.js";
import type { StorageClients } from "../storage/clients.js";
import { kindLabels } from "./record.js";
import { createTableStore, type RowKey, type TableStore } from "./table-store.js";

const storedKey = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: z.string(),
});

/** What is stored of an endpoint's keys: their SHA-256 and when each was made, never the keys. */
export const endpointKeyHashesSchema = z.strictObject({ primary: storedKey, secondary: storedKey });
export type EndpointKeyHashes = z.infer<typeof endpointKeyHashesSchema>;

/**
 * The registry's tables, one per kind, named `<tablePrefix><Kind>`:
 * - `Endpoints`: PartitionKey `endpoint`, RowKey the endpoint name.
 * - `Deployments`: PartitionKey the endpoint name, RowKey the deployment name.
 * - `Models`, `Data`: PartitionKey the asset name, RowKey the version.
 * - `Datastores`: PartitionKey `datastore`, RowKey the datastore name.
 * - `EndpointKeys`: PartitionKey `keys`, RowKey the endpoint name (hashes of its keys).
 * - `Computes`: PartitionKey `compute`, RowKey the compute name.
 */
export interface RegistryTables {
  endpoints: TableStore<Endpoint>;
  deployments: TableStore<Deployment>;
  models: TableStore<Model>;
  data: TableStore<DataAsset>;
  datastores: TableStore<Datastore>;
  endpointKeys: TableStore<EndpointKeyHashes>;
  computes: TableStore<Compute>;
}

export interface RegistryDependencies {
  clients: StorageClients;
  config: Config;
}

export const ENDPOINT_PARTITION = "endpoint";
export const DATASTORE_PARTITION = "datastore";

const byRowKey = (key: RowKey): string => key.rowKey;
const nameAndVersion = (key: RowKey): string => `${key.partitionKey}:${key.rowKey}`;

/** Builds the table stores from configuration. */
export function createRegistryTables({ clients, config }: RegistryDependencies): RegistryTables {
  const table = (suffix: string) => clients.table(`${config.tablePrefix}${suffix}`);
  return {
    endpoints: createTableStore({
      client: table("Endpoints"),
      schema: endpointSchema,
      kind: kindLabels.endpoint,
      describe: byRowKey,
    }),
    deployments: createTableStore({
      client: table("Deployments"),
      schema: deploymentSchema,
      kind: kindLabels.deployment,
      describe: (key) => `${key.partitionKey}/${key.rowKey}`,
    }),
    models: createTableStore({
      client: table("Models"),
      schema: modelSchema,
      kind: kindLabels.model,
      describe: nameAndVersion,
    }),
    data: createTableStore({
      client: table("Data"),
      schema: dataAssetSchema,
      kind: kindLabels.data,
      describe: nameAndVersion,
    }),
    datastores: createTableStore({
      client: table("Datastores"),
      schema: datastoreSchema,
      kind: kindLabels.datastore,
      describe: byRowKey,
    }),
    endpointKeys: createTableStore({
      client: table("EndpointKeys"),
      schema: endpointKeyHashesSchema,
      kind: "Keys of batch endpoint",
      describe: byRowKey,
    }),
    computes: createTableStore({
      client: table("Computes"),
      schema: computeSchema,
      kind: kindLabels.compute,
      describe: byRowKey,
    }),
  };
}
