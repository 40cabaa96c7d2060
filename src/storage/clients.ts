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
  const credential = appCredential(config);
  return {
    blob: new BlobServiceClient(config.blobServiceUri, credential),
    queue: new QueueServiceClient(config.queueServiceUri, credential),
    tables: new TableServiceClient(config.tableServiceUri, credential),
    table: (name) => new TableClient(config.tableServiceUri, name, credential),
  };
}

/**
 * The app's identity: the managed identity that configuration names (`AzureWebJobsStorage__credential`
 * / `__clientId`), else DefaultAzureCredential. It reaches the app's own account when storage is
 * identity-based, and other storage accounts (datastores with `credentials: none`) always.
 */
export function appCredential(config: StorageConfig | undefined): TokenCredential {
  const identity = config?.kind === "identity" ? config : undefined;
  if (identity?.credential === "managedidentity") {
    return identity.clientId
      ? new ManagedIdentityCredential({ clientId: identity.clientId })
      : new ManagedIdentityCredential();
  }
  const clientId = identity?.clientId;
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : undefined);
}

function usesHttp(connectionString: string): boolean {
  return (
    /usedevelopmentstorage=true/i.test(connectionString) ||
    /(endpoint=|protocol=)http:/i.test(connectionString)
  );
}
