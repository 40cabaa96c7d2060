import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { errors } from "../../errors.js";
import { inlineCondaFiles } from "../../spec/conda-file.js";
import { parseDataDocument } from "../../spec/data.schema.js";
import { type ParsedDeployment, parseDeploymentDocument } from "../../spec/deployment.schema.js";
import { parseEndpointDocument } from "../../spec/endpoint.schema.js";
import { isMapping } from "../../spec/fields.js";
import { parseModelDocument } from "../../spec/model.schema.js";
import type { Uploader } from "../upload/upload-artifact.js";
import type { LoadedDocument } from "./document-file.js";

/**
 * The server cannot read the caller's disk, so local paths in documents are uploaded first and
 * replaced by the artifact URIs the upload gives. Each document is parsed with the server's own
 * parser first: a broken document fails here, before anything is uploaded, and the parsed form says
 * which fields hold paths.
 */

/** Where uploads go, and the hashes uploaded, to forget if the server turns out not to hold them. */
export interface UploadScope {
  uploader: Uploader;
  hashes: string[];
}

const URI = /^[a-z][a-z0-9+.-]+:/i;

/** True for a path on this machine (`./model`, `/data/x`), false for a URI (`azureml://`, `https://`). */
export function isLocalPath(path: string): boolean {
  return !URI.test(path);
}

/** Uploads a deployment's local model and code folders; `endpointName` as given by a flag. */
export async function uploadDeploymentPaths(
  loaded: LoadedDocument,
  scope: UploadScope,
  endpointName?: string,
): Promise<void> {
  const parsed = parseDeploymentDocument(loaded.document, { endpointName, source: loaded.source });
  await replaceDeploymentPaths(loaded.document, parsed, loaded.dir, scope);
}

/** Uploads the local paths of a 2021 endpoint's inline deployments. */
export async function uploadEndpointPaths(loaded: LoadedDocument, scope: UploadScope): Promise<void> {
  const parsed = parseEndpointDocument(loaded.document, { source: loaded.source });
  const written = loaded.document.deployments;
  const inline = Array.isArray(written) ? written : isMapping(written) ? Object.values(written) : [];
  for (const [index, deployment] of parsed.deployments.entries()) {
    const raw = inline[index];
    if (isMapping(raw)) await replaceDeploymentPaths(raw, deployment, loaded.dir, scope);
  }
}

/** Uploads a model document's local folder (or file). */
export async function uploadModelPath(loaded: LoadedDocument, scope: UploadScope): Promise<void> {
  const { model } = parseModelDocument(loaded.document, { source: loaded.source });
  if (!isLocalPath(model.path)) return;
  const uploaded = await upload(scope, resolve(loaded.dir, model.path), "model");
  setPath(loaded.document, uploaded.uri);
}

/** Uploads a data asset's local folder or file; a `uri_file` asset points at the file in the artifact. */
export async function uploadDataPath(loaded: LoadedDocument, scope: UploadScope): Promise<void> {
  const { data } = parseDataDocument(loaded.document, { source: loaded.source });
  if (!isLocalPath(data.path)) return;
  const uploaded = await upload(scope, resolve(loaded.dir, data.path), "data");
  if (data.type === "uri_file" && uploaded.kind !== "file") {
    throw errors.inputTypeMismatch(`Data asset path '${data.path}' is a folder, but type is uri_file.`);
  }
  setPath(
    loaded.document,
    uploaded.kind === "file" && data.type === "uri_file"
      ? `${uploaded.uri}${uploaded.fileName}`
      : uploaded.uri,
  );
}

async function replaceDeploymentPaths(
  raw: Record<string, unknown>,
  parsed: ParsedDeployment,
  dir: string,
  scope: UploadScope,
): Promise<void> {
  const modelPath = parsed.inlineModel?.path;
  if (modelPath !== undefined && isLocalPath(modelPath) && isMapping(raw.model)) {
    const uploaded = await upload(scope, resolve(dir, modelPath), "model");
    setPath(raw.model, uploaded.uri);
  }
  const code = parsed.deployment.code_configuration?.code;
  if (code !== undefined && isLocalPath(code) && isMapping(raw.code_configuration)) {
    const uploaded = await upload(scope, resolve(dir, code), "code");
    raw.code_configuration.code = uploaded.uri;
  }
  await inlineCondaFiles(raw, (path) => readFile(resolve(dir, path), "utf8"));
}

async function upload(scope: UploadScope, absolute: string, label: string) {
  const uploaded = await scope.uploader.upload(absolute, label);
  scope.hashes.push(uploaded.hash);
  return uploaded;
}

/** `path: <uri>` in place of `path` or `local_path`. */
function setPath(document: Record<string, unknown>, uri: string): void {
  delete document.local_path;
  document.path = uri;
}
