import { BatchfnError, errors } from "../errors.js";
import type { Endpoint } from "../spec/resources.js";
import { deploymentKey, endpointKey, isMember, requireEndpoint } from "./endpoint-membership.js";
import { readModifyWrite, type UpdateOptions } from "./read-modify-write.js";
import type { RegistryTables } from "./registry-tables.js";
import type { StoredRow } from "./table-store.js";

/**
 * The invariant: an endpoint's default (`defaults.deployment_name`, stored only in the endpoint
 * row) always names a live deployment of that endpoint.
 *
 * - Switching the default is one ETag-checked write of the endpoint row, made after checking that
 *   the deployment exists and is not being deleted.
 * - Deleting a deployment first marks it `deleting`, then re-reads the endpoint row and refuses if
 *   the deployment is the default, else rewrites the row unchanged under its ETag (a fence), and
 *   only then removes the deployment. A switch racing with the delete either lands before the fence
 *   (the delete then sees it and is refused) or fails its ETag check, re-reads and sees the mark.
 */

/** `InvalidReference` unless `deployment` is a live deployment of the endpoint row. */
export async function requireDefaultCandidate(
  tables: RegistryTables,
  endpoint: StoredRow<Endpoint>,
  deployment: string,
): Promise<void> {
  const name = endpoint.key.rowKey;
  const row = await tables.deployments.get(deploymentKey(name, deployment));
  if (!row || !isMember(endpoint, row)) {
    throw errors.invalidReference(
      `Batch deployment '${deployment}' does not exist in endpoint '${name}', so it cannot be the default; create it first.`,
    );
  }
  if (row.meta.deleting) {
    throw errors.invalidReference(
      `Batch deployment '${deployment}' of endpoint '${name}' is being deleted, so it cannot be the default.`,
    );
  }
}

/**
 * Makes `deployment` the default of the endpoint row read as `endpoint` (the same row: a recreated
 * namesake is `NotFound`). With `onlyIfUnset`, an endpoint that already has a default keeps it.
 */
export async function makeDefault(
  tables: RegistryTables,
  endpoint: StoredRow<Endpoint>,
  deployment: string,
  options: UpdateOptions & { onlyIfUnset?: boolean } = {},
): Promise<StoredRow<Endpoint>> {
  return readModifyWrite(
    tables.endpoints,
    endpoint.key,
    async (row) => {
      if (row.meta.id !== endpoint.meta.id) throw errors.notFound(tables.endpoints.kind, endpoint.key.rowKey);
      const current = row.resource.defaults.deployment_name;
      if (current === deployment || (options.onlyIfUnset && current !== undefined)) return "keep";
      await requireDefaultCandidate(tables, row, deployment);
      return {
        resource: { ...row.resource, defaults: { ...row.resource.defaults, deployment_name: deployment } },
      };
    },
    { ifMatch: options.ifMatch },
  );
}

/** Deletes a deployment unless it is its endpoint's default (`DeploymentIsDefault`). */
export async function deleteDeployment(
  tables: RegistryTables,
  endpointName: string,
  name: string,
): Promise<void> {
  const endpoint = await requireEndpoint(tables, endpointName);
  const key = deploymentKey(endpointName, name);
  const describe = tables.deployments.describe(key);
  await readModifyWrite(tables.deployments, key, (row) => {
    if (!isMember(endpoint, row)) throw errors.notFound(tables.deployments.kind, describe);
    return { resource: row.resource, meta: { ...row.meta, deleting: true } };
  });
  try {
    await readModifyWrite(tables.endpoints, endpointKey(endpointName), (row) => {
      if (row.meta.id !== endpoint.meta.id) return "keep";
      if (row.resource.defaults.deployment_name === name)
        throw errors.deploymentIsDefault(endpointName, name);
      return "touch";
    });
  } catch (thrown) {
    const endpointGone = thrown instanceof BatchfnError && thrown.code === "NotFound";
    if (!endpointGone) {
      await unmark(tables, key);
      throw thrown;
    }
  }
  await tables.deployments.remove(key);
}

async function unmark(tables: RegistryTables, key: ReturnType<typeof deploymentKey>): Promise<void> {
  try {
    await readModifyWrite(tables.deployments, key, (row) =>
      row.meta.deleting ? { resource: row.resource, meta: { ...row.meta, deleting: false } } : "keep",
    );
  } catch (thrown) {
    if (!(thrown instanceof BatchfnError && thrown.code === "NotFound")) throw thrown;
  }
}
