import type { ContainerClient } from "@azure/storage-blob";
import { errors } from "../../errors.js";
import { resolveOutputLocation } from "../../io/output/output-location.js";
import type { OutputLocation } from "../../io/output/output-target.js";
import type { JobRecord } from "../../jobs/records/job-records.js";
import { SCORE_OUTPUT } from "../../spec/job-io.schema.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/**
 * The folder a job's record says it wrote an output to (`score`, the predictions, unless `output`
 * names another of its outputs), and the container holding it: what the jobs API reads a job's
 * output files and errors from. `UnknownOutput` naming the outputs the job has for any other name.
 */
export async function jobOutputFolder(
  record: JobRecord,
  deps: Pick<JobsApiDeps, "catalog" | "access">,
  output: string = SCORE_OUTPUT,
): Promise<{ location: OutputLocation; container: ContainerClient }> {
  const path = output === SCORE_OUTPUT ? record.output_path : record.named_outputs?.[output];
  if (path === undefined) {
    const has = [SCORE_OUTPUT, ...Object.keys(record.named_outputs ?? {})].join(", ");
    throw errors.unknownOutput("name", `Job '${record.name}' has no output '${output}' (it has: ${has}).`);
  }
  const location = await resolveOutputLocation({
    outputPath: path,
    job: record.name,
    catalog: deps.catalog,
    access: deps.access,
  });
  return { location, container: deps.access.container(location.store, location.container) };
}
