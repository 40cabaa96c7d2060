import type { ContainerClient } from "@azure/storage-blob";
import { resolveOutputLocation } from "../../io/output/output-location.js";
import type { OutputLocation } from "../../io/output/output-target.js";
import type { JobRecord } from "../../jobs/records/job-records.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/**
 * The folder a job's record says it wrote to, and the container holding it: what the jobs API
 * reads a job's output files and errors from.
 */
export async function jobOutputFolder(
  record: JobRecord,
  deps: Pick<JobsApiDeps, "catalog" | "access">,
): Promise<{ location: OutputLocation; container: ContainerClient }> {
  const location = await resolveOutputLocation({
    outputPath: record.output_path,
    job: record.name,
    catalog: deps.catalog,
    access: deps.access,
  });
  return { location, container: deps.access.container(location.store, location.container) };
}
