import { errors } from "../../errors.js";

/** A path inside a datastore, as written in `azureml://datastores/<ds>/paths/<path>`. */
export interface DatastorePath {
  datastore: string;
  /** Relative to the container root, without a leading `/`; "" is the whole container. */
  path: string;
}

const LONG_FORM =
  /^azureml:\/\/(?:subscriptions\/[^/]+\/resourcegroups\/[^/]+\/(?:providers\/[^/]+\/)?workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths(?:\/(.*))?$/i;

/**
 * Parses `azureml://datastores/<ds>/paths/<path>` (and the workspace-qualified long form Azure ML
 * prints); returns undefined for any other text.
 */
export function parseDatastoreUri(uri: string): DatastorePath | undefined {
  const match = LONG_FORM.exec(uri);
  if (!match) return undefined;
  const datastore = decodeURIComponent(match[1] ?? "");
  return { datastore, path: checkDatastorePath(decodeURIComponent(match[2] ?? ""), uri) };
}

/** The canonical URI of a datastore path. */
export function datastoreUri(location: DatastorePath): string {
  return `azureml://datastores/${location.datastore}/paths/${location.path}`;
}

/**
 * Refuses what must never reach a blob name: `..` and `.` segments, absolute host paths (`/x`,
 * `\\x`, `C:\x`, `~/x`) and backslashes. Returns the path unchanged otherwise.
 */
export function checkDatastorePath(path: string, input: string): string {
  if (/^(?:[/\\~]|[A-Za-z]:[\\/])/.test(path) || path.startsWith("file:")) {
    throw errors.invalidInput(
      `Input '${input}': path '${path}' is absolute; datastore paths are relative to the container (for example 'data/' or 'data/file.csv').`,
    );
  }
  if (path.includes("\\")) {
    throw errors.invalidInput(`Input '${input}': path '${path}' holds a backslash; use '/' between folders.`);
  }
  if (path.split("/").some((segment) => segment === ".." || segment === ".")) {
    throw errors.invalidInput(
      `Input '${input}': path '${path}' holds a '.' or '..' segment, which is refused.`,
    );
  }
  return path;
}
