import { errors } from "../../errors.js";
import type { BlobAccess } from "../inputs/blob-access.js";
import { checkDatastorePath, datastoreUri, parseDatastoreUri } from "../inputs/datastore-path.js";
import { type InputCatalog, locateDatastore } from "../inputs/input-catalog.js";
import type { OutputLocation } from "./output-target.js";

/** Where a job writes when the invocation names no output path. */
export function defaultOutputPath(job: string): string {
  return `azureml://datastores/workspaceblobstore/paths/batchfn-outputs/${job}/`;
}

/** Where a job's named output (beyond `score`) goes when the invocation gives it no path: beside, never inside, the predictions. */
export function defaultNamedOutputPath(job: string, output: string): string {
  return `azureml://datastores/workspaceblobstore/paths/batchfn-named-outputs/${job}/${output}/`;
}

export interface ResolveOutputOptions {
  /** `azureml://datastores/<ds>/paths/<folder>` or `{datastore, path}`; default {@link defaultOutputPath}. */
  outputPath?: string | { datastore: string; path: string };
  job: string;
  catalog: Pick<InputCatalog, "getDatastore">;
  access: BlobAccess;
}

/** Resolves an output path (always a folder) to a blob location, with the same rules as inputs. */
export async function resolveOutputLocation(options: ResolveOutputOptions): Promise<OutputLocation> {
  const given = options.outputPath ?? defaultOutputPath(options.job);
  const located =
    typeof given === "string"
      ? parseDatastoreUri(given.trim())
      : {
          datastore: given.datastore,
          path: checkDatastorePath(given.path, `${given.datastore}:${given.path}`),
        };
  if (!located) {
    throw errors.invalidInput(
      `Output path '${String(given)}' is not a datastore URI: expected azureml://datastores/<datastore>/paths/<folder>.`,
    );
  }
  const prefix = located.path === "" || located.path.endsWith("/") ? located.path : `${located.path}/`;
  const target = await locateDatastore(options.catalog, options.access, located.datastore);
  return {
    display: datastoreUri({ datastore: located.datastore, path: prefix }),
    store: target.store,
    container: target.container,
    prefix,
  };
}
