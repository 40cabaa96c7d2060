import { errors } from "../../errors.js";
import type { ParsedDeployment } from "../../spec/deployment.schema.js";
import { join } from "../../spec/fields.js";

const URI = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Refuses a local path (`./model`) where the server needs a URI: it cannot read the caller's disk.
 * `LocalPathNotAllowed` names the field and says to upload the files first.
 */
export function requireRemotePath(field: string, path: string): void {
  if (!URI.test(path)) throw errors.localPathNotAllowed(field, path);
}

/** Checks that a deployment's scoring code and inline model are given as URIs (`prefix`: its YAML path). */
export function requireRemoteDeployment(parsed: ParsedDeployment, prefix = ""): void {
  const code = parsed.deployment.code_configuration;
  if (code) requireRemotePath(join(prefix, "code_configuration.code"), code.code);
  if (parsed.inlineModel) requireRemotePath(join(prefix, "model.path"), parsed.inlineModel.path);
}
