import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { registerDeploymentFile, registerEndpointFile } from "../../src/api/registry/register-from-files.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createRegistry, type Registry } from "../../src/registry/registry.js";
import { createStorageClients, type StorageClients } from "../../src/storage/clients.js";
import { type EmbeddedAzurite, startAzurite } from "../../src/storage/embedded-azurite.js";
import { childPids, commandLine } from "./process-cpu.js";

/**
 * The storage the bench and the app under test share: an in-memory Azurite started by the bench,
 * the app's settings (containers and tables of one bench run), SDK clients and the registry.
 */
export interface BenchWorld {
  azurite: EmbeddedAzurite;
  /** Azurite's process id, where it can be found (Linux), for CPU figures. */
  azuritePid?: number;
  /** App settings for a host on this storage, without the task hub (one per host). */
  settings: Record<string, string>;
  /** The hosts' admin key (BATCHFN_ADMIN_KEY), sent as `x-functions-key` on every call. */
  adminKey: string;
  config: Config;
  clients: StorageClients;
  registry: Registry;
  /** The data container, the `workspaceblobstore` datastore. */
  data: ContainerClient;
  /** The jobs container: specs, plans, range records of parts, logs. */
  jobs: ContainerClient;
  /** What was registered and uploaded already (scenarios sharing a world do it once). */
  done: Set<string>;
  stop(): Promise<void>;
}

/**
 * Starts Azurite (in memory; on disk in a temporary folder with `onDisk`) and prepares the
 * settings, clients and registry of one bench run.
 */
export async function startBenchWorld(options: { onDisk?: boolean } = {}): Promise<BenchWorld> {
  const before = new Set(childPids(process.pid));
  const location = options.onDisk ? await mkdtemp(join(tmpdir(), "batchfn-bench-azurite-")) : undefined;
  const azurite = await startAzurite(location ? { location } : { inMemory: true });
  const azuritePid = childPids(process.pid).find(
    (pid) => !before.has(pid) && commandLine(pid).includes("azurite"),
  );
  const id = `b${randomBytes(3).toString("hex")}`;
  const adminKey = `bench-${randomBytes(16).toString("hex")}`;
  const settings: Record<string, string> = {
    AzureWebJobsStorage: azurite.connectionString,
    BATCHFN_ADMIN_KEY: adminKey,
    BATCHFN_TABLE_PREFIX: id,
    BATCHFN_DATA_CONTAINER: `${id}-data`,
    BATCHFN_ARTIFACTS_CONTAINER: `${id}-artifacts`,
    BATCHFN_INBOX_CONTAINER: `${id}-inbox`,
    BATCHFN_OUTBOX_CONTAINER: `${id}-outbox`,
    BATCHFN_JOBS_CONTAINER: `${id}-jobs`,
  };
  const config = loadConfig(settings);
  const clients = createStorageClients(config.storage);
  const data = clients.blob.getContainerClient(config.containers.data);
  await data.createIfNotExists();
  const jobs = clients.blob.getContainerClient(config.containers.jobs);
  await jobs.createIfNotExists();
  return {
    azurite,
    azuritePid,
    settings,
    adminKey,
    config,
    clients,
    registry: createRegistry({ clients, config }),
    data,
    jobs,
    done: new Set(),
    stop: async () => {
      await azurite.stop();
      if (location) await rm(location, { recursive: true, force: true });
    },
  };
}

/** Registers an endpoint file and a deployment file through the registry, as the CLI does (once per world). */
export async function registerFiles(
  world: BenchWorld,
  files: { endpoint?: string; deployment: string; setDefault?: boolean },
): Promise<void> {
  const key = `register:${files.deployment}`;
  if (world.done.has(key)) return;
  world.done.add(key);
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-bench-register-"));
  if (files.endpoint) await registerEndpointFile(files.endpoint, { registry: world.registry, workDir });
  await registerDeploymentFile(files.deployment, {
    registry: world.registry,
    workDir,
    setDefault: files.setDefault,
    pythonInterpreter: process.env.BATCHFN_PYTHON || "python3",
  });
}

/**
 * Uploads every file of a local folder to `<prefix>` in the data container (8 at a time, once per
 * world) and returns the datastore URI of that folder.
 */
export async function uploadFolder(world: BenchWorld, dir: string, prefix: string): Promise<string> {
  const key = `upload:${dir}:${prefix}`;
  if (world.done.has(key)) return datastoreFolder(prefix);
  world.done.add(key);
  const names = (await readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const name = names[i] ?? "";
      const body = await readFile(join(dir, name));
      await world.data.getBlockBlobClient(`${prefix}${name}`).upload(body, body.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return datastoreFolder(prefix);
}

/** The `workspaceblobstore` URI of a folder of the data container. */
export function datastoreFolder(prefix: string): string {
  return `azureml://datastores/workspaceblobstore/paths/${prefix}`;
}
