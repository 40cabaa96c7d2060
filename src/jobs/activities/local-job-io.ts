import { mkdir, rename, rm } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { errors } from "../../errors.js";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { downloadItem } from "../../io/inputs/download-item.js";
import type { ResolvedInput } from "../../io/inputs/resolved-input.js";
import { mapLimited } from "../../io/map-limited.js";
import type { NamedOutputFolder } from "../../io/output/named-outputs.js";
import type { JobInputValue, ScriptJobIO } from "../../scoring/job-io-env.js";
import type { JobSpec } from "../job-spec.js";
import type { PreparedJob } from "../store/job-store.js";
import type { ShownFolder } from "./host-paths.js";

/** A job's named inputs and outputs on this instance. */
export interface LocalJobIOOfJob {
  /** What the scoring script gets: local paths of data inputs, literal values, local output folders. */
  io: ScriptJobIO;
  /** The named outputs' local folders and where their files go. */
  outputs: NamedOutputFolder[];
  /** Files of the named outputs already sent from this instance (path → size and time). */
  sent: Map<string, string>;
  /** The local folders and what invokers see in their place (`$AZURE_ML_INPUT_<name>`...). */
  shown: ShownFolder[];
}

/**
 * This instance's copies of jobs' named data inputs and its folders for their named outputs, under
 * `<workDir>/job-inputs/<job>/<name>/` and `<workDir>/named-outputs/<job>/<name>/`. A data input is
 * downloaded once per instance (the files listed when the job was planned), before the first
 * mini-batch that needs it; concurrent mini-batches share the download.
 */
export interface LocalJobIO {
  /** Undefined for a job without named inputs or outputs. */
  of(spec: JobSpec, prepared: PreparedJob): Promise<LocalJobIOOfJob | undefined>;
  /** Removes a job's local copies and folders on this instance (it ended). */
  forget(job: string): Promise<void>;
}

export function createLocalJobIO(deps: { workDir: string; access: BlobAccess }): LocalJobIO {
  const jobs = new Map<string, Promise<LocalJobIOOfJob>>();
  const inputsDir = (job: string) => join(deps.workDir, "job-inputs", job);
  const outputsDir = (job: string) => join(deps.workDir, "named-outputs", job);

  const prepare = async (spec: JobSpec, prepared: PreparedJob): Promise<LocalJobIOOfJob> => {
    const inputs: Record<string, JobInputValue> = {};
    const shown: ShownFolder[] = [];
    for (const [name, input] of Object.entries(spec.inputs ?? {})) {
      if (input.kind === "literal") {
        inputs[name] = input.value;
        continue;
      }
      const resolved = prepared.inputs?.[name];
      if (!resolved) throw errors.corruptRecord(`Job '${spec.name}' has no listing of its input '${name}'.`);
      const folder = join(inputsDir(spec.name), name);
      inputs[name] = await download(resolved, folder, deps.access);
      shown.push({ path: folder, shown: `$AZURE_ML_INPUT_${name}` });
    }
    const outputs: NamedOutputFolder[] = [];
    for (const [name, output] of Object.entries(spec.outputs ?? {})) {
      if (!output.location) {
        throw errors.corruptRecord(`Job '${spec.name}' has no claimed folder for its output '${name}'.`);
      }
      const localDir = join(outputsDir(spec.name), name);
      await mkdir(localDir, { recursive: true });
      outputs.push({ name, localDir, location: output.location });
      shown.push({ path: localDir, shown: `$AZURE_ML_OUTPUT_${name}` });
    }
    const io = { inputs, outputs: Object.fromEntries(outputs.map((o) => [o.name, o.localDir])) };
    return { io, outputs, sent: new Map(), shown };
  };

  return {
    of(spec, prepared) {
      if (!spec.inputs && !spec.outputs) return Promise.resolve(undefined);
      let entry = jobs.get(spec.name);
      if (!entry) {
        entry = prepare(spec, prepared);
        entry.catch(() => jobs.delete(spec.name));
        jobs.set(spec.name, entry);
      }
      return entry;
    },
    async forget(job) {
      jobs.delete(job);
      await rm(inputsDir(job), { recursive: true, force: true });
      await rm(outputsDir(job), { recursive: true, force: true });
    },
  };
}

/**
 * Downloads every file of a data input into `folder` (built beside it, then renamed, so a half
 * download is never used) and answers the path the script gets: the folder, or for a `uri_file` the file.
 */
async function download(input: ResolvedInput, folder: string, access: BlobAccess): Promise<string> {
  const only = input.items[0];
  const answer = input.type === "uri_file" && only ? localPath(folder, only.name) : folder;
  const building = `${folder}.building-${process.pid}-${Date.now().toString(36)}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  try {
    await mapLimited(input.items, 4, (item) =>
      downloadItem({ root: input.root, item, target: localPath(building, item.name), access }),
    );
    await rm(folder, { recursive: true, force: true });
    await rename(building, folder);
  } catch (thrown) {
    await rm(building, { recursive: true, force: true });
    throw thrown;
  }
  return answer;
}

/** `<dir>/<name>`, refusing names that would land outside `dir`. */
function localPath(dir: string, name: string): string {
  const base = resolve(dir);
  const path = resolve(base, ...name.split("/"));
  if (!path.startsWith(base + sep)) {
    throw errors.invalidInput(
      `Input file '${name}' has a name that does not stay inside its input's folder.`,
    );
  }
  return path;
}
