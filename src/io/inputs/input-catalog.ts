import { errors } from "../../errors.js";
import type { DataAsset, Datastore } from "../../spec/resources.js";
import type { BlobAccess, BlobStore } from "./blob-access.js";

/**
 * What input and output resolution needs from the registry. `undefined` means "not registered";
 * `getDataAsset` may receive the version `latest`.
 */
export interface InputCatalog {
  getDatastore(name: string): Promise<Datastore | undefined>;
  getDataAsset(name: string, version: string): Promise<DataAsset | undefined>;
}

/** The container a datastore points at, and how to reach its account. */
export interface DatastoreTarget {
  store: BlobStore;
  container: string;
}

/** Looks a datastore up and says where it lives; `DatastoreNotFound` when it is not registered. */
export async function locateDatastore(
  catalog: Pick<InputCatalog, "getDatastore">,
  access: BlobAccess,
  name: string,
): Promise<DatastoreTarget> {
  const datastore = await catalog.getDatastore(name);
  if (!datastore) throw errors.datastoreNotFound(name);
  const store: BlobStore =
    datastore.account_name === undefined
      ? { kind: "app" }
      : { kind: "account", url: access.accountUrl(datastore.account_name, datastore.endpoint) };
  return { store, container: datastore.container_name };
}
