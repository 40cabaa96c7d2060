import { z } from "zod";
import { errors } from "../../errors.js";
import { assetName, dataType } from "../../spec/resources.js";
import { checkDatastorePath, type DatastorePath, parseDatastoreUri } from "./datastore-path.js";

/**
 * A job input as an invocation gives it: a URI (`azureml://datastores/<ds>/paths/<p>`,
 * `azureml:<name>:<version>`, `<name>:<version>`, `https://...`) or the short datastore form
 * `{datastore, path}`; `type` (uri_file | uri_folder), when given, is checked against reality.
 */
export const jobInputSchema = z.union([
  z.strictObject({ uri: z.string().min(1), type: dataType.optional() }),
  z.strictObject({ datastore: assetName, path: z.string(), type: dataType.optional() }),
]);
export type JobInput = z.infer<typeof jobInputSchema>;
export type DataType = z.infer<typeof dataType>;

/** What an input names, before anything is looked up. */
export type InputReference =
  | ({ kind: "datastore" } & DatastorePath)
  | { kind: "data"; name: string; version: string }
  | { kind: "url"; url: string };

const ASSET_VERSION = /^[a-zA-Z0-9][-_.a-zA-Z0-9]{0,63}$/;

/** Classifies an input without any I/O; throws `InvalidInput` for anything unrecognised or unsafe. */
export function parseInputReference(input: JobInput): InputReference {
  if ("datastore" in input) {
    const display = `{datastore: ${input.datastore}, path: ${input.path}}`;
    return { kind: "datastore", datastore: input.datastore, path: checkDatastorePath(input.path, display) };
  }
  const uri = input.uri.trim();
  if (/^azureml:\/\//i.test(uri)) {
    const located = parseDatastoreUri(uri);
    if (!located) {
      throw errors.invalidInput(
        `Input '${uri}' is not a datastore URI: expected azureml://datastores/<datastore>/paths/<path>.`,
      );
    }
    return { kind: "datastore", ...located };
  }
  if (/^https?:\/\//i.test(uri)) return { kind: "url", url: uri };
  const asset = parseDataAssetReference(uri.replace(/^azureml:/i, ""));
  if (asset) return { kind: "data", ...asset };
  throw errors.invalidInput(
    `Input '${uri}' is not recognised: give azureml://datastores/<datastore>/paths/<path>, a data asset <name>:<version> (or azureml:<name>:<version>, <name>@latest), or an https URL. Local folders are uploaded by the CLI first.`,
  );
}

function parseDataAssetReference(text: string): { name: string; version: string } | undefined {
  const latest = /^(.+)@latest$/.exec(text);
  if (latest?.[1] && assetName.safeParse(latest[1]).success) return { name: latest[1], version: "latest" };
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const name = text.slice(0, colon);
  const version = text.slice(colon + 1);
  if (!assetName.safeParse(name).success || !ASSET_VERSION.test(version)) return undefined;
  return { name, version };
}
