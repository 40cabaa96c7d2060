import type { AuthConfig } from "../../config.js";
import type { Registry } from "../../registry/registry.js";
import type { UploadSigner } from "./upload-signer.js";

/** What the registry handlers are built from. */
export interface RegistryApiDependencies {
  registry: Registry;
  /** Scratch space for the check, when a deployment is stored, that its script or model runs. */
  workDir: string;
  /** The interpreter Python deployments are checked with (`BATCHFN_PYTHON`). */
  pythonInterpreter?: string;
  /** Signs the upload URLs `POST artifact-uploads` hands out. */
  signer: UploadSigner;
  /** The artifacts container: staged uploads live in it under `uploads/<upload_id>/`. */
  artifactsContainer: string;
  /** Largest `POST artifacts` body (default 50 MB). */
  maxArtifactBytes?: number;
  /** How long upload URLs stay valid (default 60 minutes). */
  uploadMinutes?: number;
  /** The accepted token issuers and audiences, shown by `GET batch-endpoints/{name}/credentials`. */
  token?: AuthConfig["token"];
}
