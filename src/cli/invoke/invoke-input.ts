import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { errors } from "../../errors.js";
import type { CliContext } from "../cli-context.js";

/** A job input as the invoke body gives it. */
export interface BodyInput {
  input: string;
  input_type?: "uri_file" | "uri_folder";
}

const REMOTE = /^(azureml:|https?:\/\/)/i;
const ASSET = /^[^:/\\]+:[^:/\\]+$/;

/**
 * The input of `--input` (v2): a URI or a data asset as it is; an existing local file or folder is
 * uploaded first (content-addressed, so an unchanged folder is not sent twice) and given as its
 * artifact URI, `azureml://datastores/workspaceartifactstore/paths/sha256/<hash>/` (a file as the
 * file inside it).
 */
export async function resolveInput(
  context: CliContext,
  text: string,
  type: "uri_file" | "uri_folder" | undefined,
  flag = "--input",
): Promise<BodyInput> {
  if (REMOTE.test(text)) return withType(text, type);
  const absolute = resolve(context.io.cwd, text);
  if (await stat(absolute).catch(() => undefined)) return uploadLocal(context, absolute, type);
  if (ASSET.test(text)) return withType(text, type);
  throw errors.inputNotFound(
    `${flag} '${text}' is neither a URI (azureml://datastores/<ds>/paths/<path>, https://...), a data asset (azureml:<name>:<version>) nor an existing local path.`,
  );
}

/** Uploads a local input (`--input ./dir`, `--input-local-path`) and answers its URI. */
export async function uploadLocal(
  context: CliContext,
  absolute: string,
  type: "uri_file" | "uri_folder" | undefined,
): Promise<BodyInput> {
  const uploaded = await context.uploader.upload(absolute, "input");
  if (uploaded.kind === "folder") {
    if (type === "uri_file") {
      throw errors.inputTypeMismatch(`Input '${absolute}' is a folder, but --input-type is uri_file.`);
    }
    return { input: uploaded.uri, input_type: "uri_folder" };
  }
  if (type === "uri_folder") return { input: uploaded.uri, input_type: "uri_folder" };
  return { input: `${uploaded.uri}${uploaded.fileName ?? ""}`, input_type: "uri_file" };
}

/** `azureml://datastores/<ds>/paths/<path>` from a datastore (`azureml:` prefix allowed) and a path in it. */
export function datastoreUri(datastore: string, path: string): string {
  const name = datastore.replace(/^azureml:/i, "").replace(/^\/+|\/+$/g, "");
  return `azureml://datastores/${name}/paths/${path.replace(/^\/+/, "")}`;
}

/**
 * An output folder: an `azureml://` URI as it is, a path relative to `datastore` (the default
 * datastore, `workspaceblobstore`, when none is given) otherwise.
 */
export function outputUri(path: string, datastore?: string): string {
  if (/^azureml:\/\//i.test(path)) return path;
  return datastoreUri(datastore ?? "workspaceblobstore", path);
}

function withType(input: string, type: "uri_file" | "uri_folder" | undefined): BodyInput {
  return type === undefined ? { input } : { input, input_type: type };
}
