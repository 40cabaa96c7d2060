import { BatchfnError } from "../errors.js";
import { jobNameSchema } from "../jobs/plan/job-name.js";
import type { JobRecords } from "../jobs/records/job-records.js";
import type { Registry } from "../registry/registry.js";
import { resourceName } from "../spec/resources.js";
import type { AuthDirectory } from "./authorizer.js";

/** The authorizer's view of the registry (endpoints and their keys) and of the job records. */
export function registryDirectory(registry: Registry, records: Pick<JobRecords, "get">): AuthDirectory {
  return {
    async authMode(endpoint) {
      if (!resourceName.safeParse(endpoint).success) return undefined;
      try {
        return (await registry.endpoints.show(endpoint)).resource.auth_mode;
      } catch (thrown) {
        if (thrown instanceof BatchfnError && thrown.code === "NotFound") return undefined;
        throw thrown;
      }
    },
    async keyMatches(endpoint, key) {
      if (!resourceName.safeParse(endpoint).success) return false;
      return (await registry.endpointKeys.matches(endpoint, key)) !== undefined;
    },
    async jobEndpoint(job) {
      if (!jobNameSchema.safeParse(job).success) return undefined;
      return (await records.get(job))?.endpoint_name;
    },
  };
}
