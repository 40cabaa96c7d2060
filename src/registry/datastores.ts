import type { z } from "zod";
import type { Config } from "../config.js";
import { BatchfnError, errors } from "../errors.js";
import {
  type Datastore,
  datastoreSchema,
  WORKSPACE_ARTIFACT_STORE,
  WORKSPACE_BLOB_STORE,
} from "../spec/resources.js";
import { readModifyWrite, type UpdateOptions } from "./read-modify-write.js";
import { parseResource, type RegistryRecord, requireUnchanged, toRecord } from "./record.js";
import { DATASTORE_PARTITION } from "./registry-tables.js";
import type { TableStore } from "./table-store.js";

export type DatastoreInput = z.input<typeof datastoreSchema>;

/**
 * Datastores: named blob containers that `azureml://datastores/<name>/paths/<path>` URIs resolve
 * through. The two built-in ones (`workspaceblobstore`, `workspaceartifactstore`) always point at
 * the app's own containers: they cannot be deleted, and an update may change only their
 * description and tags.
 */
export interface DatastoreRegistry {
  create(input: DatastoreInput): Promise<RegistryRecord<Datastore>>;
  show(name: string): Promise<RegistryRecord<Datastore>>;
  list(): Promise<RegistryRecord<Datastore>[]>;
  update(
    name: string,
    change: (current: Datastore) => DatastoreInput,
    options?: UpdateOptions,
  ): Promise<RegistryRecord<Datastore>>;
  delete(name: string): Promise<void>;
  /** Registers the built-in datastores when missing (idempotent, safe to run concurrently). */
  ensureDefaults(): Promise<void>;
}

/** The built-in datastores as configuration defines them. */
export function defaultDatastores(config: Config): Datastore[] {
  return [
    datastoreSchema.parse({
      name: WORKSPACE_BLOB_STORE,
      container_name: config.containers.data,
      description: "The batchfn app's data container.",
    }),
    datastoreSchema.parse({
      name: WORKSPACE_ARTIFACT_STORE,
      container_name: config.containers.artifacts,
      description: "Registered model and code files (content-addressed).",
    }),
  ];
}

/** Builds the datastore registry over its table. */
export function createDatastores(options: {
  store: TableStore<Datastore>;
  config: Config;
}): DatastoreRegistry {
  const { store, config } = options;
  const kind = store.kind;
  const key = (name: string) => ({ partitionKey: DATASTORE_PARTITION, rowKey: name });
  const builtIns = new Map(defaultDatastores(config).map((d) => [d.name, d]));

  const pinBuiltIn = (next: Datastore): Datastore => {
    const builtIn = builtIns.get(next.name);
    return builtIn ? { ...builtIn, description: next.description, tags: next.tags } : next;
  };

  const isPinned = (datastore: Datastore): boolean => {
    const builtIn = builtIns.get(datastore.name);
    return (
      !builtIn ||
      (datastore.account_name === undefined &&
        datastore.container_name === builtIn.container_name &&
        datastore.endpoint === builtIn.endpoint)
    );
  };

  return {
    async create(input) {
      const datastore = parseResource(datastoreSchema, input, kind);
      return toRecord(await store.insert(key(datastore.name), datastore));
    },
    async show(name) {
      const row = await store.get(key(name));
      if (!row) throw errors.notFound(kind, name);
      return toRecord(row);
    },
    async list() {
      const rows = await store.list(DATASTORE_PARTITION);
      return rows.sort((a, b) => a.key.rowKey.localeCompare(b.key.rowKey)).map(toRecord);
    },
    async update(name, change, updateOptions) {
      const row = await readModifyWrite(
        store,
        key(name),
        (current) => {
          const next = parseResource(datastoreSchema, change(current.resource), kind);
          requireUnchanged(kind, "name", name, next.name);
          return { resource: pinBuiltIn(next) };
        },
        updateOptions,
      );
      return toRecord(row);
    },
    async delete(name) {
      if (builtIns.has(name)) {
        throw errors.protectedResource(`${kind} '${name}' is built in and cannot be deleted.`);
      }
      if (!(await store.remove(key(name)))) throw errors.notFound(kind, name);
    },
    async ensureDefaults() {
      await Promise.all(
        [...builtIns.values()].map(async (builtIn) => {
          try {
            await store.insert(key(builtIn.name), builtIn);
          } catch (thrown) {
            if (!(thrown instanceof BatchfnError && thrown.code === "AlreadyExists")) throw thrown;
            const current = await store.get(key(builtIn.name));
            if (current && isPinned(current.resource)) return;
            await readModifyWrite(store, key(builtIn.name), (row) => ({
              resource: pinBuiltIn(row.resource),
            }));
          }
        }),
      );
    },
  };
}
