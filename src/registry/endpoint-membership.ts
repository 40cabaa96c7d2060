import { errors } from "../errors.js";
import type { Deployment, Endpoint } from "../spec/resources.js";
import { ENDPOINT_PARTITION, type RegistryTables } from "./registry-tables.js";
import type { RowKey, StoredRow } from "./table-store.js";

/**
 * Which deployment rows the API sees. A deployment row records the `id` of the endpoint row it was
 * created under; it is visible only while that very endpoint row exists. So deployment rows left
 * behind by an interrupted cascade delete, or created while their endpoint was being deleted, stay
 * invisible, even after an endpoint of the same name is created again (which sweeps them).
 */

export const endpointKey = (name: string): RowKey => ({ partitionKey: ENDPOINT_PARTITION, rowKey: name });
export const deploymentKey = (endpoint: string, name: string): RowKey => ({
  partitionKey: endpoint,
  rowKey: name,
});

/** The endpoint row; `NotFound` naming the endpoint when there is none. */
export async function requireEndpoint(tables: RegistryTables, name: string): Promise<StoredRow<Endpoint>> {
  const row = await tables.endpoints.get(endpointKey(name));
  if (!row) throw errors.notFound(tables.endpoints.kind, name);
  return row;
}

/** Whether a deployment row belongs to this endpoint row (and not to a deleted namesake). */
export function isMember(endpoint: StoredRow<Endpoint>, deployment: StoredRow<Deployment>): boolean {
  return deployment.meta.parentId === endpoint.meta.id;
}

/** A visible deployment row of the endpoint; `NotFound` naming `endpoint/deployment` otherwise. */
export async function requireDeployment(
  tables: RegistryTables,
  endpoint: StoredRow<Endpoint>,
  name: string,
): Promise<StoredRow<Deployment>> {
  const key = deploymentKey(endpoint.key.rowKey, name);
  const row = await tables.deployments.get(key);
  if (!row || !isMember(endpoint, row))
    throw errors.notFound(tables.deployments.kind, tables.deployments.describe(key));
  return row;
}

/** The visible deployment rows of an endpoint. */
export async function memberDeployments(
  tables: RegistryTables,
  endpoint: StoredRow<Endpoint>,
): Promise<StoredRow<Deployment>[]> {
  const rows = await tables.deployments.list(endpoint.key.rowKey);
  return rows.filter((row) => isMember(endpoint, row));
}

/** Removes the invisible deployment rows under an endpoint's name; best effort, rows may race. */
export async function sweepStaleDeployments(
  tables: RegistryTables,
  endpoint: StoredRow<Endpoint>,
): Promise<void> {
  const rows = await tables.deployments.list(endpoint.key.rowKey);
  const stale = rows.filter((row) => !isMember(endpoint, row));
  await Promise.allSettled(stale.map((row) => tables.deployments.remove(row.key, row.etag)));
}
