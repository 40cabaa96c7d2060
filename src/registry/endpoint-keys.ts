import { hashSecretKey, matchesHash, newSecretKey } from "../auth/secret-keys.js";
import { BatchfnError } from "../errors.js";
import { endpointKey, requireEndpoint } from "./endpoint-membership.js";
import { type EndpointKeyHashes, endpointKeyHashesSchema, type RegistryTables } from "./registry-tables.js";
import type { RowKey, StoredRow } from "./table-store.js";

export const KEY_TYPES = ["primary", "secondary"] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Keys in clear, as shown once: when they are made. */
export interface IssuedKeys {
  primaryKey?: string;
  secondaryKey?: string;
}

/** When each key of an endpoint was made (the keys themselves cannot be shown again). */
export type EndpointKeyInfo = Record<KeyType, { created_at: string }>;

/**
 * The primary and secondary keys of `auth_mode: key` endpoints, stored only as hashes in
 * `<prefix>EndpointKeys` (PartitionKey `keys`, RowKey the endpoint name). A keys row records the
 * `id` of its endpoint row, so an endpoint deleted and created again never inherits old keys.
 */
export interface EndpointKeyRegistry {
  /** Makes both keys when the endpoint has none, and returns them (the one time they are shown). */
  issue(endpoint: string): Promise<IssuedKeys | undefined>;
  /** Replaces the named keys (both when `types` is empty) and returns the new ones; `NotFound` without endpoint. */
  regenerate(endpoint: string, types: readonly KeyType[]): Promise<IssuedKeys>;
  describe(endpoint: string): Promise<EndpointKeyInfo | undefined>;
  /** Which key `key` is, compared in constant time; undefined when it is neither. */
  matches(endpoint: string, key: string): Promise<KeyType | undefined>;
  /** Forgets the endpoint's keys (its auth mode changed, or it is deleted). */
  revoke(endpoint: string): Promise<void>;
}

const KEYS_PARTITION = "keys";
/** Where an endpoint's keys row lives. */
export const keysKey = (endpoint: string): RowKey => ({ partitionKey: KEYS_PARTITION, rowKey: endpoint });

/** Builds the key registry over the registry tables. */
export function createEndpointKeys(tables: RegistryTables): EndpointKeyRegistry {
  const store = tables.endpointKeys;

  /** The endpoint's keys row, if it belongs to the endpoint row that exists now. */
  const current = async (endpoint: string): Promise<StoredRow<EndpointKeyHashes> | undefined> => {
    const owner = await tables.endpoints.get(endpointKey(endpoint));
    const row = await store.get(keysKey(endpoint));
    return owner && row && row.meta.parentId === owner.meta.id ? row : undefined;
  };

  const write = async (
    endpoint: string,
    types: readonly KeyType[],
    onlyIfNone: boolean,
  ): Promise<IssuedKeys | undefined> => {
    const owner = await requireEndpoint(tables, endpoint);
    const existing = await store.get(keysKey(endpoint));
    const live = existing?.meta.parentId === owner.meta.id ? existing : undefined;
    if (live && onlyIfNone) return undefined;
    const made = new Date().toISOString();
    const renewed = live ? types : KEY_TYPES;
    const clear: Partial<Record<KeyType, string>> = {};
    const hashes: Partial<EndpointKeyHashes> = { ...live?.resource };
    for (const type of renewed) {
      const key = newSecretKey();
      clear[type] = key;
      hashes[type] = { sha256: hashSecretKey(key), created_at: made };
    }
    const resource = endpointKeyHashesSchema.parse(hashes);
    if (existing) await store.replace(existing, resource, { ...existing.meta, parentId: owner.meta.id });
    else await store.insert(keysKey(endpoint), resource, { parentId: owner.meta.id });
    return { primaryKey: clear.primary, secondaryKey: clear.secondary };
  };

  return {
    async issue(endpoint) {
      try {
        return await write(endpoint, KEY_TYPES, true);
      } catch (thrown) {
        if (thrown instanceof BatchfnError && thrown.code === "AlreadyExists") return undefined;
        throw thrown;
      }
    },
    async regenerate(endpoint, types) {
      return (await write(endpoint, types.length === 0 ? KEY_TYPES : types, false)) ?? {};
    },
    async describe(endpoint) {
      const row = await current(endpoint);
      if (!row) return undefined;
      return {
        primary: { created_at: row.resource.primary.created_at },
        secondary: { created_at: row.resource.secondary.created_at },
      };
    },
    async matches(endpoint, key) {
      const row = await current(endpoint);
      if (!row) return undefined;
      const primary = matchesHash(key, row.resource.primary.sha256);
      const secondary = matchesHash(key, row.resource.secondary.sha256);
      if (primary) return "primary";
      return secondary ? "secondary" : undefined;
    },
    async revoke(endpoint) {
      await store.remove(keysKey(endpoint));
    },
  };
}
