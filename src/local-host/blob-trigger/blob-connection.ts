import type { BlobServiceClient } from "@azure/storage-blob";
import { type Config, type Environment, loadConfig } from "../../config.js";
import { ensureError, errors } from "../../errors.js";
import { createStorageClients } from "../../storage/clients.js";

const DEFAULT_CONNECTION = "AzureWebJobsStorage";

/**
 * The blob service a trigger's `connection` names. No connection, or `AzureWebJobsStorage`, is
 * the app's storage; another name is an app setting holding a connection string, or identity
 * settings `<name>__blobServiceUri`, `__queueServiceUri`, `__tableServiceUri` / `__accountName`
 * (read with the same rules as AzureWebJobsStorage).
 */
export function blobServiceFor(
  connection: string | undefined,
  storage: Config,
  env: Environment,
): BlobServiceClient {
  if (connection === undefined || connection === "" || connection === DEFAULT_CONNECTION) {
    return createStorageClients(storage.storage).blob;
  }
  const settings: Environment = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === connection) settings[DEFAULT_CONNECTION] = value;
    else if (key.startsWith(`${connection}__`)) {
      settings[`${DEFAULT_CONNECTION}__${key.slice(connection.length + 2)}`] = value;
    }
  }
  try {
    return createStorageClients(loadConfig(settings).storage).blob;
  } catch (thrown) {
    const message = ensureError(thrown).message.replaceAll(DEFAULT_CONNECTION, connection);
    throw errors.invalidConfig(`Blob trigger connection '${connection}': ${message}`, [
      { path: connection, message },
    ]);
  }
}
