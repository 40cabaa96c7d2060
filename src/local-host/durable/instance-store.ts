import type { TableClient } from "@azure/data-tables";
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { errors } from "../../errors.js";
import type { StorageClients } from "../../storage/clients.js";
import { storageFailure } from "../../storage/storage-error.js";
import type { RuntimeStatus } from "./instance.js";
import {
  parseStoredInstance,
  RUNTIME_STATUSES,
  type StoredInstance,
  serializeStoredInstance,
} from "./stored-instance.js";
import { decodeInstanceId, encodeInstanceId, type TaskHubNames } from "./task-hub.js";

/** JSON texts longer than this stay in the record blob only (table strings hold 32K characters). */
const ROW_VALUE_LIMIT = 30_000;
const CACHE_LIMIT = 2_000;
const RECORD_PREFIX = "instances/";

/** The table row of an instance: what status queries and lists read. */
export interface InstanceRow {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  createdTime: Date;
  lastUpdatedTime: Date;
  /** JSON texts; absent when `largeValues` says they are only in the record blob. */
  input?: string;
  output?: string;
  customStatus?: string;
  largeValues: boolean;
  executionId: string;
  parentInstanceId?: string;
  version: number;
}

const rowSchema = z.object({
  partitionKey: z.string(),
  name: z.string(),
  runtimeStatus: z.enum(RUNTIME_STATUSES),
  createdTime: z.coerce.date(),
  lastUpdatedTime: z.coerce.date(),
  input: z.string().optional(),
  output: z.string().optional(),
  customStatus: z.string().optional(),
  largeValues: z.boolean().default(false),
  executionId: z.string(),
  parentInstanceId: z.string().optional(),
  version: z.number().int(),
});

/** A stored instance with the ETag of its blob, for conditional writes. */
export interface LoadedInstance {
  stored: StoredInstance;
  etag: string | undefined;
}

/**
 * Instance records (one blob each, the source of truth) and their table rows (a projection for
 * queries). Records are cached: one host process owns the hub, so its cache is stale only when
 * storage lost writes (a commit then fails its ETag check; the repair scan compares versions).
 */
export class InstanceStore {
  readonly table: TableClient;
  private readonly container: ContainerClient;
  private readonly cache = new Map<string, LoadedInstance>();

  constructor(clients: StorageClients, names: TaskHubNames) {
    this.table = clients.table(names.instancesTable);
    this.container = clients.blob.getContainerClient(names.stateContainer);
  }

  /** The stored instance, a private copy the caller may change; undefined when there is none. */
  async load(instanceId: string): Promise<LoadedInstance | undefined> {
    const cached = this.cache.get(instanceId);
    if (cached) return structuredClone(cached);
    const blob = this.container.getBlockBlobClient(recordBlobName(instanceId));
    try {
      const response = await blob.download();
      const text = await streamText(response.readableStreamBody);
      const loaded = { stored: parseStoredInstance(text, blob.name), etag: response.etag };
      this.remember(instanceId, loaded);
      return structuredClone(loaded);
    } catch (thrown) {
      if (storageFailure(thrown).status === 404) return undefined;
      throw thrown;
    }
  }

  /**
   * Writes the record with its next version, only if the blob is still the one loaded (`etag`), or
   * absent when `etag` is undefined; returns the new ETag.
   */
  async save(stored: StoredInstance, etag: string | undefined): Promise<string> {
    const instanceId = stored.record.instanceId;
    stored.version += 1;
    const text = serializeStoredInstance(stored);
    const blob = this.container.getBlockBlobClient(recordBlobName(instanceId));
    try {
      const response = await blob.upload(text, Buffer.byteLength(text), {
        metadata: { version: String(stored.version) },
        blobHTTPHeaders: { blobContentType: "application/json" },
        conditions: etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: etag },
      });
      const loaded = { stored: structuredClone(stored), etag: response.etag };
      this.remember(instanceId, loaded);
      return response.etag ?? "";
    } catch (thrown) {
      this.cache.delete(instanceId);
      const { status } = storageFailure(thrown);
      if (status === 412 || status === 409) throw errors.concurrentUpdate("Durable instance", instanceId);
      throw thrown;
    }
  }

  /** Writes the instance's table row from its record. */
  async project(stored: StoredInstance): Promise<void> {
    const { record } = stored;
    const values = {
      input: jsonText(record.input),
      output: jsonText(record.output),
      customStatus: jsonText(record.customStatus),
    };
    const largeValues = Object.values(values).some((text) => text.length > ROW_VALUE_LIMIT);
    await this.table.upsertEntity(
      {
        partitionKey: encodeInstanceId(record.instanceId),
        rowKey: "",
        name: record.name,
        runtimeStatus: record.runtimeStatus,
        createdTime: record.createdTime,
        lastUpdatedTime: record.lastUpdatedTime,
        ...(largeValues ? {} : values),
        largeValues,
        executionId: record.executionId,
        parentInstanceId: record.parentInstanceId,
        version: stored.version,
      },
      "Replace",
    );
  }

  async readRow(instanceId: string): Promise<InstanceRow | undefined> {
    try {
      return rowFromEntity(await this.table.getEntity(encodeInstanceId(instanceId), ""));
    } catch (thrown) {
      if (storageFailure(thrown).status === 404) return undefined;
      throw thrown;
    }
  }

  /** Deletes the record blob, then the row (recovery deletes rows left without a blob). */
  async remove(instanceId: string): Promise<void> {
    this.cache.delete(instanceId);
    await this.container.deleteBlob(recordBlobName(instanceId)).catch(ignoreNotFound);
    await this.deleteRow(instanceId);
  }

  async deleteRow(instanceId: string): Promise<void> {
    await this.table.deleteEntity(encodeInstanceId(instanceId), "").catch(ignoreNotFound);
  }

  /** Every record blob's instance id and committed version. */
  async *recordVersions(): AsyncIterable<{ instanceId: string; version: number }> {
    for await (const blob of this.container.listBlobsFlat({ prefix: RECORD_PREFIX, includeMetadata: true })) {
      const key = blob.name.slice(RECORD_PREFIX.length, -".json".length);
      yield { instanceId: decodeInstanceId(key), version: Number(blob.metadata?.version ?? 0) };
    }
  }

  /** Every row's instance id, projected version and status. */
  async *rowVersions(): AsyncIterable<{ instanceId: string; version: number; runtimeStatus: string }> {
    const select = ["PartitionKey", "version", "runtimeStatus"];
    for await (const entity of this.table.listEntities({ queryOptions: { select } })) {
      yield {
        instanceId: decodeInstanceId(entity.partitionKey ?? ""),
        version: Number(entity.version ?? 0),
        runtimeStatus: String(entity.runtimeStatus ?? ""),
      };
    }
  }

  /** The version of the cached record, if one is cached. */
  cachedVersion(instanceId: string): number | undefined {
    return this.cache.get(instanceId)?.stored.version;
  }

  /** The ETag of the cached record's blob, if one is cached (a commit or a reload changes it). */
  cachedEtag(instanceId: string): string | undefined {
    return this.cache.get(instanceId)?.etag;
  }

  /** Forgets every cached record whose instance is not in `stored` (storage no longer has it); returns their ids. */
  forgetAllBut(stored: ReadonlySet<string>): string[] {
    const gone = [...this.cache.keys()].filter((id) => !stored.has(id));
    for (const id of gone) this.cache.delete(id);
    return gone;
  }

  /** Forgets the cached record (after a failed commit whose outcome is unknown). */
  forget(instanceId: string): void {
    this.cache.delete(instanceId);
  }

  private remember(instanceId: string, loaded: LoadedInstance): void {
    this.cache.delete(instanceId);
    this.cache.set(instanceId, loaded);
    if (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
  }
}

/** Reads a table entity as an instance row. */
export function rowFromEntity(entity: unknown): InstanceRow {
  const parsed = rowSchema.safeParse(entity);
  if (!parsed.success) {
    throw errors.corruptRecord(
      "A durable instance row is malformed.",
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  const { partitionKey, ...row } = parsed.data;
  return { instanceId: decodeInstanceId(partitionKey), ...row };
}

function recordBlobName(instanceId: string): string {
  return `${RECORD_PREFIX}${encodeInstanceId(instanceId)}.json`;
}

function jsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function ignoreNotFound(thrown: unknown): void {
  if (storageFailure(thrown).status !== 404) throw thrown;
}

async function streamText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
