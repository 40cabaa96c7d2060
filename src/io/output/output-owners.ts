import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { errors } from "../../errors.js";
import { isConditionFailure, isNotFound } from "../../storage/storage-error.js";
import type { OutputLocation } from "./output-target.js";

/**
 * Which job owns which output folder: one marker blob per folder in the jobs container (which no
 * datastore may name, so no invoker can write one), `_output-owners/<store>/<container>/<prefix>.owner`
 * holding the owning job. A folder is owned by the first job that claims it, for good; no other
 * job may write into it, into a folder inside it, or into a folder around it.
 */
export const ownerSchema = z.object({ job: z.string(), endpoint: z.string(), claimed_at: z.string() });
export type OutputOwner = z.infer<typeof ownerSchema>;

const ROOT = "_output-owners/";
const SUFFIX = ".owner";

/** Blob names are at most 1,024 characters; the marker's name must fit. */
const MAX_MARKER_NAME = 1024;

/** The markers of one container: `<root>/<store>/<container>/`. */
function markerFolder(location: OutputLocation): string {
  const store =
    location.store.kind === "app"
      ? "app"
      : createHash("sha256").update(location.store.url).digest("hex").slice(0, 16);
  return `${ROOT}${store}/${location.container}/`;
}

/** The marker of a folder (`prefix` is "" or ends with `/`). */
export function markerName(location: OutputLocation): string {
  return `${markerFolder(location)}${location.prefix}${SUFFIX}`;
}

/** The folders around `prefix`: "", "a/", "a/b/" for "a/b/c/". */
function enclosingPrefixes(prefix: string): string[] {
  const parts = prefix.split("/").filter((part) => part !== "");
  return parts.map((_, i) => (i === 0 ? "" : `${parts.slice(0, i).join("/")}/`));
}

/**
 * Claims `location` for `owner.job`: writes the marker create-only (a marker of the same job is
 * kept: a repeated request), then checks that no other job owns a folder around or inside it.
 * Claim first and check after, so of two jobs racing for nested folders at least one sees the
 * other. `OutputInUse` (409) when another job owns one, without naming it. Returns whether this
 * call wrote the marker (then {@link releaseOutput} undoes it if the job is not started after all).
 */
export async function claimOutput(
  jobs: ContainerClient,
  location: OutputLocation,
  owner: OutputOwner,
): Promise<{ claimed: boolean }> {
  const name = markerName(location);
  if (name.length > MAX_MARKER_NAME) {
    throw errors.invalidParameter(
      "output_path",
      `is too long (the folder path must stay under 900 characters)`,
    );
  }
  await jobs.createIfNotExists();
  const body = JSON.stringify(owner);
  let claimed = true;
  try {
    await jobs.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
      conditions: { ifNoneMatch: "*" },
      blobHTTPHeaders: { blobContentType: "application/json" },
    });
  } catch (thrown) {
    if (!isConditionFailure(thrown)) throw thrown;
    if ((await readOwner(jobs, name))?.job !== owner.job) throw errors.outputInUse(location.display);
    claimed = false;
  }
  try {
    for (const prefix of enclosingPrefixes(location.prefix)) {
      const around = await readOwner(jobs, markerName({ ...location, prefix }));
      if (around && around.job !== owner.job) throw errors.outputInUse(location.display);
    }
    const inside = `${markerFolder(location)}${location.prefix}`;
    for await (const blob of jobs.listBlobsFlat({ prefix: inside })) {
      if (blob.name === name || !blob.name.endsWith(SUFFIX)) continue;
      const other = await readOwner(jobs, blob.name);
      if (other && other.job !== owner.job) throw errors.outputInUse(location.display);
    }
  } catch (thrown) {
    if (claimed) await releaseOutput(jobs, location, owner.job);
    throw thrown;
  }
  return { claimed };
}

/** Removes this job's claim of a folder (when the job was refused before it started). */
export async function releaseOutput(
  jobs: ContainerClient,
  location: OutputLocation,
  job: string,
): Promise<void> {
  const name = markerName(location);
  if ((await readOwner(jobs, name))?.job === job) await jobs.getBlobClient(name).deleteIfExists();
}

async function readOwner(jobs: ContainerClient, name: string): Promise<OutputOwner | undefined> {
  let text: string;
  try {
    text = (await jobs.getBlobClient(name).downloadToBuffer()).toString("utf8");
  } catch (thrown) {
    if (isNotFound(thrown)) return undefined;
    throw thrown;
  }
  const parsed = ownerSchema.safeParse(parseJson(text));
  if (!parsed.success) throw errors.corruptRecord(`Output owner record '${name}' is not valid.`);
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
