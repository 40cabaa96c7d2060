import type { z } from "zod";
import { BatchfnError, errors } from "../errors.js";
import { readModifyWrite, type UpdateOptions } from "./read-modify-write.js";
import { parseResource, type RegistryRecord, requireUnchanged, toRecord } from "./record.js";
import type { StoredRow, TableStore } from "./table-store.js";
import { compareVersions, LATEST, latestVersion } from "./version-order.js";

/** The fields every versioned asset (model, data asset) has. */
export interface VersionedAsset {
  name: string;
  version: string;
  description?: string | undefined;
  tags: Record<string, string>;
}

/**
 * Models and data assets. A `name:version` is immutable: only its description and tags change.
 * `show(name, "latest")` resolves the latest version (see `latestVersion`).
 */
export interface VersionedAssetRegistry<T extends VersionedAsset, In> {
  /**
   * Registers a version. Registering a version that exists with identical content (everything
   * but description and tags) returns the stored one unchanged; different content is `AlreadyExists`.
   */
  create(input: In): Promise<RegistryRecord<T>>;
  show(name: string, version: string): Promise<RegistryRecord<T>>;
  /** All versions of one asset (oldest first), or every version of every asset. */
  list(name?: string): Promise<RegistryRecord<T>[]>;
  /** Changes description and tags; any other change is `InvalidSpec`. */
  update(
    name: string,
    version: string,
    change: (current: T) => In,
    options?: UpdateOptions,
  ): Promise<RegistryRecord<T>>;
  /** Deletes a version; refused (`ProtectedResource`) while something still uses it. */
  delete(name: string, version: string): Promise<void>;
}

export interface VersionedAssetOptions<T extends VersionedAsset, In> {
  store: TableStore<T>;
  schema: z.ZodType<T, In>;
  /** Names what still uses a version ("deployment 'e/d'"), if anything does. */
  usedBy?(name: string, version: string): Promise<string | undefined>;
}

/** The part of an asset that identifies its content: everything but description and tags. */
function contentOf(asset: VersionedAsset): Record<string, unknown> {
  const { description: _description, tags: _tags, ...content } = asset;
  return content;
}

function changedContent(before: VersionedAsset, after: VersionedAsset): string[] {
  const a = contentOf(before);
  const b = contentOf(after);
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...fields].filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field])).sort();
}

/** Builds the registry of one versioned kind over its table. */
export function createVersionedAssets<T extends VersionedAsset, In>(
  options: VersionedAssetOptions<T, In>,
): VersionedAssetRegistry<T, In> {
  const { store, schema } = options;
  const kind = store.kind;
  const key = (name: string, version: string) => ({ partitionKey: name, rowKey: version });

  const find = async (name: string, version: string): Promise<StoredRow<T>> => {
    if (version === LATEST) {
      const rows = await store.list(name);
      const latest = latestVersion(
        rows.map((row) => ({ row, version: row.key.rowKey, createdAt: row.createdAt })),
      );
      if (!latest) throw errors.notFound(kind, `${name}:${LATEST}`);
      return latest.row;
    }
    const row = await store.get(key(name, version));
    if (!row) throw errors.notFound(kind, `${name}:${version}`);
    return row;
  };

  const sorted = (rows: StoredRow<T>[]): StoredRow<T>[] =>
    rows.sort(
      (a, b) =>
        a.key.partitionKey.localeCompare(b.key.partitionKey) ||
        compareVersions(
          { version: a.key.rowKey, createdAt: a.createdAt },
          { version: b.key.rowKey, createdAt: b.createdAt },
        ),
    );

  return {
    async create(input) {
      const asset = parseResource(schema, input, kind);
      if (asset.version === LATEST) {
        throw errors.invalidSpec(
          `'${LATEST}' is reserved and cannot be the version of ${kind} '${asset.name}'.`,
          [{ path: "version", message: `'${LATEST}' is reserved` }],
        );
      }
      try {
        return toRecord(await store.insert(key(asset.name, asset.version), asset));
      } catch (thrown) {
        if (!(thrown instanceof BatchfnError && thrown.code === "AlreadyExists")) throw thrown;
        const existing = await store.get(key(asset.name, asset.version));
        if (!existing || changedContent(existing.resource, asset).length > 0) throw thrown;
        return toRecord(existing);
      }
    },
    async show(name, version) {
      return toRecord(await find(name, version));
    },
    async list(name) {
      return sorted(await store.list(name)).map(toRecord);
    },
    async update(name, version, change, updateOptions) {
      const row = await readModifyWrite(
        store,
        key(name, version),
        (current) => {
          const next = parseResource(schema, change(current.resource), kind);
          requireUnchanged(kind, "name", name, next.name);
          const changed = changedContent(current.resource, next);
          if (changed.length > 0) {
            throw errors.invalidSpec(
              `${kind} '${name}:${version}' is immutable: only description and tags can be updated, not ${changed.join(", ")}.`,
              changed.map((field) => ({ path: field, message: "cannot be changed" })),
            );
          }
          return { resource: next };
        },
        updateOptions,
      );
      return toRecord(row);
    },
    async delete(name, version) {
      const row = await find(name, version);
      const user = await options.usedBy?.(name, row.key.rowKey);
      if (user) {
        throw errors.protectedResource(
          `${kind} '${name}:${row.key.rowKey}' is used by ${user}; delete or change that first.`,
        );
      }
      if (!(await store.remove(row.key))) throw errors.notFound(kind, `${name}:${version}`);
    },
  };
}
