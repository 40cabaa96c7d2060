import type { z } from "zod";
import { errors } from "../errors.js";
import { type Endpoint, endpointSchema } from "../spec/resources.js";
import { makeDefault, requireDefaultCandidate } from "./default-deployment.js";
import { keysKey } from "./endpoint-keys.js";
import { endpointKey, requireEndpoint, sweepStaleDeployments } from "./endpoint-membership.js";
import { readModifyWrite, type UpdateOptions } from "./read-modify-write.js";
import { parseResource, type RegistryRecord, requireUnchanged, toRecord } from "./record.js";
import { ENDPOINT_PARTITION, type RegistryTables } from "./registry-tables.js";

export type EndpointInput = z.input<typeof endpointSchema>;

/** Batch endpoints. Deleting one deletes its deployments. */
export interface EndpointRegistry {
  /** Creates an endpoint without a default (its first deployment becomes the default). */
  create(input: EndpointInput): Promise<RegistryRecord<Endpoint>>;
  show(name: string): Promise<RegistryRecord<Endpoint>>;
  list(): Promise<RegistryRecord<Endpoint>[]>;
  /**
   * Applies `change` to the endpoint as stored. A changed `defaults.deployment_name` must name a
   * live deployment of the endpoint (`InvalidReference`).
   */
  update(
    name: string,
    change: (current: Endpoint) => EndpointInput,
    options?: UpdateOptions,
  ): Promise<RegistryRecord<Endpoint>>;
  /** Switches the default deployment: one ETag-checked write of the endpoint row. */
  setDefaultDeployment(
    name: string,
    deployment: string,
    options?: UpdateOptions,
  ): Promise<RegistryRecord<Endpoint>>;
  /** Deletes the endpoint's deployments, then the endpoint, then its keys. */
  delete(name: string): Promise<void>;
}

/** Builds the endpoint registry over the registry tables. */
export function createEndpoints(tables: RegistryTables): EndpointRegistry {
  const store = tables.endpoints;
  const kind = store.kind;

  return {
    async create(input) {
      const endpoint = parseResource(endpointSchema, input, kind);
      const initialDefault = endpoint.defaults.deployment_name;
      if (initialDefault !== undefined) {
        throw errors.invalidReference(
          `Batch deployment '${initialDefault}' does not exist in the new endpoint '${endpoint.name}'; create the endpoint without defaults.deployment_name, then its deployments.`,
        );
      }
      const row = await store.insert(endpointKey(endpoint.name), endpoint);
      await sweepStaleDeployments(tables, row);
      return toRecord(row);
    },
    async show(name) {
      return toRecord(await requireEndpoint(tables, name));
    },
    async list() {
      const rows = await store.list(ENDPOINT_PARTITION);
      return rows.sort((a, b) => a.key.rowKey.localeCompare(b.key.rowKey)).map(toRecord);
    },
    async update(name, change, options) {
      const row = await readModifyWrite(
        store,
        endpointKey(name),
        async (current) => {
          const next = parseResource(endpointSchema, change(current.resource), kind);
          requireUnchanged(kind, "name", name, next.name);
          const wanted = next.defaults.deployment_name;
          if (wanted !== undefined && wanted !== current.resource.defaults.deployment_name) {
            await requireDefaultCandidate(tables, current, wanted);
          }
          return { resource: next };
        },
        options,
      );
      return toRecord(row);
    },
    async setDefaultDeployment(name, deployment, options) {
      const endpoint = await requireEndpoint(tables, name);
      if (options?.ifMatch !== undefined && options.ifMatch !== endpoint.etag) {
        throw errors.concurrentUpdate(kind, name);
      }
      return toRecord(await makeDefault(tables, endpoint, deployment, options));
    },
    async delete(name) {
      const endpoint = await requireEndpoint(tables, name);
      const deployments = await tables.deployments.list(name);
      await Promise.all(deployments.map((row) => tables.deployments.remove(row.key)));
      await store.remove(endpoint.key);
      await tables.endpointKeys.remove(keysKey(name));
    },
  };
}
