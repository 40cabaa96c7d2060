import type { z } from "zod";
import { errors } from "../errors.js";
import { type Compute, computeSchema } from "../spec/compute.schema.js";
import { readModifyWrite, type UpdateOptions } from "./read-modify-write.js";
import { parseResource, type RegistryRecord, requireUnchanged, toRecord } from "./record.js";
import type { TableStore } from "./table-store.js";

export type ComputeInput = z.input<typeof computeSchema>;

const COMPUTE_PARTITION = "compute";

/**
 * Compute targets (`az ml compute create --type amlcompute`): names that deployments point at, each
 * with the `max_instances` that bounds the instance count of deployments and jobs naming it.
 */
export interface ComputeRegistry {
  create(input: ComputeInput): Promise<RegistryRecord<Compute>>;
  show(name: string): Promise<RegistryRecord<Compute>>;
  /** The compute of that name, or undefined when none is registered. */
  find(name: string): Promise<RegistryRecord<Compute> | undefined>;
  list(): Promise<RegistryRecord<Compute>[]>;
  update(
    name: string,
    change: (current: Compute) => ComputeInput,
    options?: UpdateOptions,
  ): Promise<RegistryRecord<Compute>>;
  delete(name: string): Promise<void>;
}

/** Builds the compute registry over its table (`<tablePrefix>Computes`, PartitionKey `compute`). */
export function createComputes(store: TableStore<Compute>): ComputeRegistry {
  const kind = store.kind;
  const key = (name: string) => ({ partitionKey: COMPUTE_PARTITION, rowKey: name });
  const find = async (name: string) => {
    const row = await store.get(key(name));
    return row && toRecord(row);
  };
  return {
    async create(input) {
      const compute = parseResource(computeSchema, input, kind);
      return toRecord(await store.insert(key(compute.name), compute));
    },
    async show(name) {
      const record = await find(name);
      if (!record) throw errors.notFound(kind, name);
      return record;
    },
    find,
    async list() {
      const rows = await store.list(COMPUTE_PARTITION);
      return rows.sort((a, b) => a.key.rowKey.localeCompare(b.key.rowKey)).map(toRecord);
    },
    async update(name, change, options) {
      const row = await readModifyWrite(
        store,
        key(name),
        (current) => {
          const next = parseResource(computeSchema, change(current.resource), kind);
          requireUnchanged(kind, "name", name, next.name);
          return { resource: next };
        },
        options,
      );
      return toRecord(row);
    },
    async delete(name) {
      if (!(await store.remove(key(name)))) throw errors.notFound(kind, name);
    },
  };
}
