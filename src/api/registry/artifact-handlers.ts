import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PutArtifactResult } from "../../registry/registry.js";
import { normalizeArtifactPath } from "../../spec/artifact-manifest.js";
import { baseUrl, type Handler, handle, json, readBody } from "../http.js";
import type { RegistryApiDependencies } from "./dependencies.js";
import { parseRequest } from "./parse-request.js";
import { routeName } from "./route-params.js";

/** `POST artifacts`, `POST artifact-uploads`, `POST artifact-uploads/{uploadId}/commit`. */
export interface ArtifactHandlers {
  upload: Handler;
  startUpload: Handler;
  commitUpload: Handler;
}

const DEFAULT_MAX_ARTIFACT_BYTES = 50 * 1024 * 1024;
const DEFAULT_UPLOAD_MINUTES = 60;
const MAX_UPLOAD_FILES = 10_000;

const filePath = z.string().min(1);
const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a sha256 in hex (64 characters)");

const uploadBody = z.strictObject({
  files: z.array(z.strictObject({ path: filePath, content_base64: z.base64() })).min(1),
});
const startBody = z.strictObject({
  files: z
    .array(z.strictObject({ path: filePath }))
    .min(1)
    .max(MAX_UPLOAD_FILES),
});
const commitBody = z.strictObject({
  files: z
    .array(z.strictObject({ path: filePath, sha256 }))
    .min(1)
    .max(MAX_UPLOAD_FILES),
});

/** Where the files of an upload are staged in the artifacts container. */
export const stagingPrefix = (uploadId: string): string => `uploads/${uploadId}/`;

/**
 * Artifact uploads: model and code folders become content-addressed artifacts
 * (`azureml://datastores/workspaceartifactstore/paths/sha256/<hash>/`) that deployments and models
 * name. Small folders go in one JSON body; large ones are PUT by the client to short-lived
 * per-file SAS URLs and then committed, the server checking every sha256.
 */
export function createArtifactHandlers(deps: RegistryApiDependencies): ArtifactHandlers {
  const { registry } = deps;
  const result = (uploaded: PutArtifactResult) => json(uploaded.uploaded > 0 ? 201 : 200, uploaded);

  const upload: Handler = async (request) => {
    const maxBytes = deps.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
    const body = parseRequest(uploadBody, await readBody(request, { maxBytes }), "artifact upload");
    const files = body.files.map((file) => ({
      path: file.path,
      content: Buffer.from(file.content_base64, "base64"),
    }));
    return result(await registry.putArtifact(files));
  };

  const startUpload: Handler = async (request) => {
    const body = parseRequest(startBody, await readBody(request), "artifact upload");
    const paths = [...new Set(body.files.map((file) => normalizeArtifactPath(file.path)))];
    await registry.ensureRegistry();
    const uploadId = randomUUID();
    const expiresOn = new Date(Date.now() + (deps.uploadMinutes ?? DEFAULT_UPLOAD_MINUTES) * 60_000);
    const urls = await deps.signer.signUploads(
      deps.artifactsContainer,
      paths.map((path) => `${stagingPrefix(uploadId)}${path}`),
      expiresOn,
    );
    return json(201, {
      upload_id: uploadId,
      expires_on: expiresOn.toISOString(),
      files: paths.map((path, index) => ({ path, url: urls[index] })),
      commit_url: `${baseUrl(request)}/api/artifact-uploads/${uploadId}/commit`,
    });
  };

  const commitUpload: Handler = async (request) => {
    const uploadId = routeName(request, "uploadId", "upload");
    const body = parseRequest(commitBody, await readBody(request), "artifact commit");
    const files = body.files.map((file) => ({ path: file.path, sha256: file.sha256.toLowerCase() }));
    return result(await registry.commitStaged(stagingPrefix(uploadId), files));
  };

  return { upload: handle(upload), startUpload: handle(startUpload), commitUpload: handle(commitUpload) };
}
