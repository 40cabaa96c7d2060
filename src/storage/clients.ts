import { TableClient, TableServiceClient } from "@azure/data-tables";
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import type { StorageConfig } from "../config.js";

/** The Azure SDK clients of the app's storage account, built once from configuration. */
export interface StorageClients {
  blob: BlobServiceClient;
  queue: QueueServiceClient;
  tables: TableServiceClient;
  table(name: string): TableClient;
}

/** Builds the clients from a connection string or from an identity (managed identity in Azure). */
export function createStorageClients(config: StorageConfig): StorageClients {
  if (config.kind === "connectionString") {
    const cs = config.connectionString;
    const insecure = { allowInsecureConnection: usesHttp(cs) };
    return {
      blob: BlobServiceClient.fromConnectionString(cs),
      queue: QueueServiceClient.fromConnectionString(cs),
      tables: TableServiceClient.fromConnectionString(cs, insecure),
      table: (name) => TableClient.fromConnectionString(cs, name, insecure),
    };
  }
  const credential = storageCredential(config);
  return {
    blob: new BlobServiceClient(config.blobServiceUri, credential),
    queue: new QueueServiceClient(config.queueServiceUri, credential),
    tables: new TableServiceClient(config.tableServiceUri, credential),
    table: (name) => new TableClient(config.tableServiceUri, name, credential),
  };
}

function storageCredential(config: Extract<StorageConfig, { kind: "identity" }>): TokenCredential {
  if (config.credential === "managedidentity") {
    return config.clientId
      ? new ManagedIdentityCredential({ clientId: config.clientId })
      : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(
    config.clientId ? { managedIdentityClientId: config.clientId } : undefined,
  );
}

function usesHttp(connectionString: string): boolean {
  return (
    /usedevelopmentstorage=true/i.test(connectionString) ||
    /(endpoint=|protocol=)http:/i.test(connectionString)
  );
}
