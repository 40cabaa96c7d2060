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

/** The folders a job may write to, claimed for it; `release` gives them back if the job does not start. */
export interface ClaimedOutput {
  location: OutputLocation;
  /** The folders of its named outputs beyond `score`, by name. */
  named: Record<string, OutputLocation>;
  release(): Promise<void>;
}

/**
 * The one place that decides where a job may write (docs/rest.md, "Who may write where"):
 * - only into a registered datastore that is not one of batchfn's own containers (the artifact
 *   store, the jobs container, the inbox; the outbox only for inbox jobs) — `OutputNotAllowed`;
 * - only into a folder no other job owns, that lies inside no other job's folder and holds none —
 *   `OutputInUse`, whatever `overwrite` says; the job then owns it for good;
 * - without `overwrite`, only where none of the files it writes exists yet — `OutputExists`.
 * A named output (beyond `score`) follows the same rules, in a folder of its own that lies neither
 * inside another output's folder nor around it, and is empty unless `overwrite`.
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

  const locate = (outputPath: string, job: string) =>
    resolveOutputLocation({ outputPath, job, catalog: deps.catalog, access: deps.access });

  return {
    async claim(spec, origin) {
      const location = await locate(spec.output.path, spec.name);
      checkWritable(location, origin);
      const named: Record<string, OutputLocation> = {};
      for (const [name, output] of Object.entries(spec.outputs ?? {})) {
        named[name] = await locate(output.path, spec.name);
        checkWritable(named[name], origin);
      }
      checkSeparate(location, named);
      const target = outputTarget({
        job: spec.name,
        location,
        action: spec.settings.output_action,
        fileName: spec.settings.output_file_name,
        format: spec.settings.output_format,
        layout: spec.settings.output_layout,
        miniBatches: 1,
        overwrite: spec.output.overwrite,
      });
      const owner = { job: spec.name, endpoint: spec.endpoint_name, claimed_at: spec.created_at };
      const claimed: OutputLocation[] = [];
      const release = async () => {
        for (const folder of claimed) await releaseOutput(deps.jobs, folder, spec.name);
      };
      try {
        for (const folder of [location, ...Object.values(named)]) {
          if ((await claimOutput(deps.jobs, folder, owner)).claimed) claimed.push(folder);
        }
        await checkOutputFree(target, { access: deps.access });
        if (!spec.output.overwrite) {
          for (const folder of Object.values(named)) await checkFolderEmpty(folder, deps.access);
        }
      } catch (thrown) {
        await release();
        throw thrown;
      }
      return { location, named, release };
    },
  };
}

/** Refuses outputs of one job whose folders nest (or coincide): each output's files stay its own. */
function checkSeparate(score: OutputLocation, named: Record<string, OutputLocation>): void {
  const folders: Array<[string, OutputLocation]> = [["score", score], ...Object.entries(named)];
  for (const [i, [name, folder]] of folders.entries()) {
    for (const [other, around] of folders.slice(0, i)) {
      const sameContainer =
        JSON.stringify(folder.store) === JSON.stringify(around.store) &&
        folder.container === around.container;
      if (!sameContainer) continue;
      if (folder.prefix.startsWith(around.prefix) || around.prefix.startsWith(folder.prefix)) {
        throw errors.invalidParameter(
          `outputs.${name}.path`,
          `(${folder.display}) shares its folder with output '${other}' (${around.display}); give each output a folder of its own`,
        );
      }
    }
  }
}

/** `OutputExists` naming the first file of a named output's folder that holds any. */
async function checkFolderEmpty(location: OutputLocation, access: BlobAccess): Promise<void> {
  const container = access.container(location.store, location.container);
  await container.createIfNotExists();
  for await (const blob of container.listBlobsFlat({ prefix: location.prefix })) {
    throw errors.outputExists(`${location.display}${blob.name.slice(location.prefix.length)}`);
  }
}
