import type { ContainerClient } from "@azure/storage-blob";
import type { Config } from "../config.js";
import { errors } from "../errors.js";
import type { BlobAccess } from "../io/inputs/blob-access.js";
import type { InputCatalog } from "../io/inputs/input-catalog.js";
import { checkOutputFree } from "../io/output/check-output-free.js";
import { resolveOutputLocation } from "../io/output/output-location.js";
import { claimOutput, releaseOutput } from "../io/output/output-owners.js";
import { type OutputLocation, outputTarget } from "../io/output/output-target.js";
import type { JobSpec } from "./job-spec.js";

/** Who asks for the folder: an invocation, or the inbox (the only one that writes to the outbox). */
export type JobOrigin = "invoke" | "inbox";

/** A folder a job may write to, claimed for it; `release` gives it back if the job does not start. */
export interface ClaimedOutput {
  location: OutputLocation;
  release(): Promise<void>;
}

/**
 * The one place that decides where a job may write (docs/rest.md, "Who may write where"):
 * - only into a registered datastore that is not one of batchfn's own containers (the artifact
 *   store, the jobs container, the inbox; the outbox only for inbox jobs) — `OutputNotAllowed`;
 * - only into a folder no other job owns, that lies inside no other job's folder and holds none —
 *   `OutputInUse`, whatever `overwrite` says; the job then owns it for good;
 * - without `overwrite`, only where none of the files it writes exists yet — `OutputExists`.
 */
export interface OutputFolders {
  claim(spec: JobSpec, origin: JobOrigin): Promise<ClaimedOutput>;
}

export interface OutputFolderDeps {
  catalog: Pick<InputCatalog, "getDatastore">;
  access: BlobAccess;
  /** The jobs container, where the ownership records live. */
  jobs: ContainerClient;
  containers: Config["containers"];
}

export function createOutputFolders(deps: OutputFolderDeps): OutputFolders {
  const reserved = new Map<string, string>([
    [deps.containers.artifacts, "it holds batchfn's artifacts (models and scoring code), which never change"],
    [deps.containers.jobs, "it holds batchfn's job records"],
    [deps.containers.inbox, "it is the inbox, where every file starts a job"],
  ]);

  const checkWritable = (location: OutputLocation, origin: JobOrigin): void => {
    if (location.store.kind !== "app") return;
    const reason =
      reserved.get(location.container) ??
      (location.container === deps.containers.outbox && origin !== "inbox"
        ? "it is the outbox, where only inbox jobs write"
        : undefined);
    if (reason) throw errors.outputNotAllowed(location.display, reason);
  };

  return {
    async claim(spec, origin) {
      const location = await resolveOutputLocation({
        outputPath: spec.output.path,
        job: spec.name,
        catalog: deps.catalog,
        access: deps.access,
      });
      checkWritable(location, origin);
      const target = outputTarget({
        job: spec.name,
        location,
        action: spec.settings.output_action,
        fileName: spec.settings.output_file_name,
        format: spec.settings.output_format,
        miniBatches: 1,
        overwrite: spec.output.overwrite,
      });
      const owner = { job: spec.name, endpoint: spec.endpoint_name, claimed_at: spec.created_at };
      const { claimed } = await claimOutput(deps.jobs, location, owner);
      const release = async () => {
        if (claimed) await releaseOutput(deps.jobs, location, spec.name);
      };
      try {
        await checkOutputFree(target, { access: deps.access });
      } catch (thrown) {
        await release();
        throw thrown;
      }
      return { location, release };
    },
  };
}
