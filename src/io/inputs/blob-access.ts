import type { TokenCredential } from "@azure/identity";
import { BlobServiceClient, ContainerClient, type StorageSharedKeyCredential } from "@azure/storage-blob";
import { z } from "zod";
import type { StorageConfig } from "../../config.js";
import { appCredential, type StorageClients } from "../../storage/clients.js";
import type { UrlPolicy } from "./url-policy.js";

/**
 * Which blob service a location lives in, in a form that survives serialisation (plans, activity
 * inputs): the app's own account, another account reached with the app's identity, or a public
 * container read anonymously.
 */
export const blobStoreSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("app") }),
  z.strictObject({ kind: z.literal("account"), url: z.url() }),
  z.strictObject({ kind: z.literal("public"), url: z.url() }),
]);
export type BlobStore = z.infer<typeof blobStoreSchema>;

/** Reaches any {@link BlobStore}; the one place that decides which credential a store gets. */
export interface BlobAccess {
  container(store: BlobStore, container: string): ContainerClient;
  /** The blob service URL of a datastore on another account (`https://<account>.blob.<endpoint>`). */
  accountUrl(accountName: string, endpoint: string): string;
  /** Which URLs and public containers given as input may be fetched (downloads check it again). */
  urlPolicy: UrlPolicy;
}

export interface BlobAccessOptions {
  clients: StorageClients;
  /** The app's identity for other accounts; built lazily from `storage` when absent. */
  credential?: TokenCredential | StorageSharedKeyCredential;
  storage?: StorageConfig;
  /** Overrides the service URL of other accounts (tests point it at Azurite). */
  accountUrl?: (accountName: string, endpoint: string) => string;
  /** Default: public addresses over https only. */
  urlPolicy?: UrlPolicy;
}

/** Container clients kept for reuse; the cache starts over past this many. */
const MAX_CACHED_CONTAINERS = 256;

/** Builds the {@link BlobAccess} of the app from its clients and identity. */
export function createBlobAccess(options: BlobAccessOptions): BlobAccess {
  const services = new Map<string, BlobServiceClient>();
  let credential = options.credential;
  const accountService = (url: string): BlobServiceClient => {
    let service = services.get(url);
    if (!service) {
      credential ??= appCredential(options.storage);
      service = new BlobServiceClient(url, credential);
      services.set(url, service);
    }
    return service;
  };
  const build = (store: BlobStore, container: string): ContainerClient => {
    switch (store.kind) {
      case "app":
        return options.clients.blob.getContainerClient(container);
      case "account":
        return accountService(store.url).getContainerClient(container);
      case "public":
        return new ContainerClient(`${store.url.replace(/\/+$/, "")}/${encodeURIComponent(container)}`);
    }
  };
  // clients hold no state of their own; building one costs the SDK's client set-up, once per item
  // of a job before this cache
  const containers = new Map<string, ContainerClient>();
  return {
    container(store, container) {
      const key = `${store.kind}\n${store.kind === "app" ? "" : store.url}\n${container}`;
      let client = containers.get(key);
      if (!client) {
        if (containers.size >= MAX_CACHED_CONTAINERS) containers.clear();
        client = build(store, container);
        containers.set(key, client);
      }
      return client;
    },
    accountUrl: options.accountUrl ?? ((accountName, endpoint) => `https://${accountName}.blob.${endpoint}`),
    urlPolicy: options.urlPolicy ?? { allowPrivate: false },
  };
}
