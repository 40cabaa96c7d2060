import { randomUUID } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { errors } from "../errors.js";

/** Where one row lives. */
export interface RowKey {
  partitionKey: string;
  rowKey: string;
}

/**
 * Bookkeeping stored beside a resource, never shown. `id` is fixed when the row is created, so a
 * row recreated under the same name is told apart from its predecessor; `parentId` is the `id` of
 * the row this one belongs to (a deployment's endpoint); `deleting` marks a row whose delete began.
 */
export interface RowMeta {
  id: string;
  parentId?: string;
  deleting?: boolean;
}

/** A row as read back: the validated resource, its bookkeeping and Table Storage's own ETag. */
export interface StoredRow<T> {
  key: RowKey;
  resource: T;
  meta: RowMeta;
  etag: string;
  createdAt: string;
  updatedAt: string;
}

export interface TableStoreOptions<T> {
  client: TableClient;
  schema: z.ZodType<T>;
  /** How messages name the kind: "Batch endpoint", "Model"... */
  kind: string;
  /** How messages name one row: "my-endpoint", "model:1"... */
  describe(key: RowKey): string;
}

/**
 * A table of resources with optimistic concurrency: every write that replaces or removes a row it
 * read carries that row's ETag, and a stale ETag fails with `ConcurrentUpdate` instead of losing a
 * change. Resources are stored as JSON and parsed with the resource schema on every read.
 */
export interface TableStore<T> {
  readonly kind: string;
  describe(key: RowKey): string;
  /** Creates the table once per store (safe to call concurrently and repeatedly). */
  ensure(): Promise<void>;
  get(key: RowKey): Promise<StoredRow<T> | undefined>;
  /** Adds a new row; `AlreadyExists` when the key is taken. */
  insert(key: RowKey, resource: T, meta?: Omit<RowMeta, "id">): Promise<StoredRow<T>>;
  /**
   * Replaces the row read as `row`; `ConcurrentUpdate` if it changed since, `NotFound` if it is
   * gone. `updatedAt` moves only when the resource itself changes.
   */
  replace(row: StoredRow<T>, resource: T, meta: RowMeta): Promise<StoredRow<T>>;
  /** Rewrites the row unchanged, only to move its ETag on; fails like `replace`. */
  touch(row: StoredRow<T>): Promise<StoredRow<T>>;
  /** Removes a row (only as read when `etag` is given); false when there was none. */
  remove(key: RowKey, etag?: string): Promise<boolean>;
  /** All rows, or the rows of one partition. */
  list(partitionKey?: string): Promise<StoredRow<T>[]>;
}

const entitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  etag: z.string(),
  body: z.string(),
  id: z.string(),
  parentId: z.string().optional(),
  deleting: z.boolean().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type Entity = Omit<z.infer<typeof entitySchema>, "etag">;

const statusSchema = z.object({ statusCode: z.number() });

/** The HTTP status of a failed storage call, if it has one. */
export function storageStatus(thrown: unknown): number | undefined {
  const parsed = statusSchema.safeParse(thrown);
  return parsed.success ? parsed.data.statusCode : undefined;
}

/** Builds a store over one table; the table is created on first use. */
export function createTableStore<T>(options: TableStoreOptions<T>): TableStore<T> {
  const { client, schema, kind, describe } = options;
  let created: Promise<void> | undefined;

  const ensure = (): Promise<void> => {
    created ??= client.createTable().catch((thrown: unknown) => {
      created = undefined;
      throw thrown;
    });
    return created;
  };

  const toRow = (raw: unknown): StoredRow<T> => {
    const entity = entitySchema.safeParse(raw);
    if (!entity.success) {
      throw errors.corruptRecord(`A row of table '${client.tableName}' is not a batchfn ${kind} row.`);
    }
    const e = entity.data;
    const key = { partitionKey: e.partitionKey, rowKey: e.rowKey };
    const resource = schema.safeParse(parseJson(e.body));
    if (!resource.success) {
      throw errors.corruptRecord(
        `The stored ${kind} '${describe(key)}' in table '${client.tableName}' is not valid.`,
        resource.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
      );
    }
    return {
      key,
      resource: resource.data,
      meta: { id: e.id, parentId: e.parentId, deleting: e.deleting },
      etag: e.etag,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    };
  };

  const toEntity = (
    key: RowKey,
    resource: T,
    meta: RowMeta,
    createdAt: string,
    updatedAt: string,
  ): Entity => ({
    ...key,
    body: JSON.stringify(resource),
    id: meta.id,
    ...(meta.parentId === undefined ? {} : { parentId: meta.parentId }),
    ...(meta.deleting ? { deleting: true } : {}),
    createdAt,
    updatedAt,
  });

  const write = async (row: StoredRow<T>, entity: Entity): Promise<StoredRow<T>> => {
    try {
      const response = await client.updateEntity(entity, "Replace", { etag: row.etag });
      return toRow({ ...entity, etag: response.etag ?? "" });
    } catch (thrown) {
      const status = storageStatus(thrown);
      if (status === 412) throw errors.concurrentUpdate(kind, describe(row.key));
      if (status === 404) throw errors.notFound(kind, describe(row.key));
      throw thrown;
    }
  };

  return {
    kind,
    describe,
    ensure,
    async get(key) {
      await ensure();
      try {
        return toRow(await client.getEntity(key.partitionKey, key.rowKey));
      } catch (thrown) {
        if (storageStatus(thrown) === 404) return undefined;
        throw thrown;
      }
    },
    async insert(key, resource, meta = {}) {
      await ensure();
      const now = new Date().toISOString();
      const entity = toEntity(key, resource, { ...meta, id: randomUUID() }, now, now);
      try {
        const response = await client.createEntity(entity);
        return toRow({ ...entity, etag: response.etag ?? "" });
      } catch (thrown) {
        if (storageStatus(thrown) === 409) throw errors.alreadyExists(kind, describe(key));
        throw thrown;
      }
    },
    async replace(row, resource, meta) {
      await ensure();
      const changed = JSON.stringify(resource) !== JSON.stringify(row.resource);
      const updatedAt = changed ? new Date().toISOString() : row.updatedAt;
      return write(row, toEntity(row.key, resource, meta, row.createdAt, updatedAt));
    },
    async touch(row) {
      await ensure();
      return write(row, toEntity(row.key, row.resource, row.meta, row.createdAt, row.updatedAt));
    },
    async remove(key, etag) {
      await ensure();
      try {
        await client.deleteEntity(key.partitionKey, key.rowKey, etag === undefined ? undefined : { etag });
        return true;
      } catch (thrown) {
        const status = storageStatus(thrown);
        if (status === 404) return false;
        if (status === 412) throw errors.concurrentUpdate(kind, describe(key));
        throw thrown;
      }
    },
    async list(partitionKey) {
      await ensure();
      const filter = partitionKey === undefined ? undefined : odata`PartitionKey eq ${partitionKey}`;
      const rows: StoredRow<T>[] = [];
      for await (const entity of client.listEntities({ queryOptions: { filter } })) rows.push(toRow(entity));
      return rows;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
