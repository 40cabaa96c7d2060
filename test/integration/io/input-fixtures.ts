import type { ContainerClient } from "@azure/storage-blob";
import { type BlobAccess, createBlobAccess } from "../../../src/io/inputs/blob-access.js";
import type { InputCatalog } from "../../../src/io/inputs/input-catalog.js";
import {
  type DataAsset,
  type Datastore,
  dataAssetSchema,
  datastoreSchema,
} from "../../../src/spec/resources.js";
import type { StorageClients } from "../../../src/storage/clients.js";
import { testClients, uniqueName } from "../../support/storage.js";

/** A registry stand-in: plain maps behind the {@link InputCatalog} port. */
export function catalogOf(
  datastores: Array<Record<string, unknown>>,
  assets: Array<Record<string, unknown>> = [],
): InputCatalog {
  const stores = new Map<string, Datastore>();
  for (const raw of datastores) {
    const datastore = datastoreSchema.parse(raw);
    stores.set(datastore.name, datastore);
  }
  const data = new Map<string, DataAsset>();
  for (const raw of assets) {
    const asset = dataAssetSchema.parse(raw);
    data.set(`${asset.name}:${asset.version}`, asset);
  }
  return {
    getDatastore: async (name) => stores.get(name),
    getDataAsset: async (name, version) => data.get(`${name}:${version}`),
  };
}

export interface StorageWorld {
  clients: StorageClients;
  access: BlobAccess;
  container: ContainerClient;
  containerName: string;
  catalog: InputCatalog;
}

/** A fresh container registered as datastore `ws` on the app's account. */
export async function storageWorld(
  options: { publicAccess?: "blob" | "container" } = {},
): Promise<StorageWorld> {
  const clients = testClients();
  const containerName = uniqueName("in");
  const container = clients.blob.getContainerClient(containerName);
  await container.create(options.publicAccess ? { access: options.publicAccess } : {});
  return {
    clients,
    // Downloads reach Azurite on 127.0.0.1; resolution tests choose their policy with `allowHttp`.
    access: createBlobAccess({ clients, urlPolicy: { allowPrivate: true } }),
    container,
    containerName,
    catalog: catalogOf([{ name: "ws", container_name: containerName }]),
  };
}

/** Uploads text blobs; returns nothing, throws on the first failure. */
export async function putBlobs(container: ContainerClient, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await container.getBlockBlobClient(name).upload(content, Buffer.byteLength(content));
  }
}
