import type { AuthDirectory } from "../auth/authorizer.js";
import { BatchfnError } from "../errors.js";
import { belongsTo, type JobRecords } from "../jobs/records/job-records.js";
import type { RegistryRecord } from "../registry/record.js";
import type { Registry } from "../registry/registry.js";
import { jobName } from "../spec/names.js";
import { type Endpoint, resourceName } from "../spec/resources.js";

/** The authorizer's view of the registry (endpoints and their keys) and of the job records. */
export function registryDirectory(registry: Registry, records: Pick<JobRecords, "get">): AuthDirectory {
  return {
    async authMode(endpoint) {
      return (await showEndpoint(registry, endpoint))?.resource.auth_mode;
    },
    async keyMatches(endpoint, key) {
      if (!resourceName.safeParse(endpoint).success) return false;
      return (await registry.endpointKeys.matches(endpoint, key)) !== undefined;
    },
    async jobEndpoint(job) {
      if (!jobName.safeParse(job).success) return undefined;
      const record = await records.get(job);
      if (!record) return undefined;
      const endpoint = await showEndpoint(registry, record.endpoint_name);
      const owner = endpoint && {
        name: endpoint.resource.name,
        id: endpoint.id,
        created_at: endpoint.created_at,
      };
      // A job of a deleted endpoint belongs to no endpoint: only admins reach it, never a namesake.
      return owner && belongsTo(record, owner) ? record.endpoint_name : undefined;
    },
  };
}

/** The endpoint's record, or undefined when there is no endpoint of that name. */
async function showEndpoint(registry: Registry, name: string): Promise<RegistryRecord<Endpoint> | undefined> {
  if (!resourceName.safeParse(name).success) return undefined;
  try {
    return await registry.endpoints.show(name);
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "NotFound") return undefined;
    throw thrown;
  }
}
