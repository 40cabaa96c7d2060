import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type LocalAdminKey, localAdminKey } from "../auth/local-admin-key.js";
import { type Config, loadConfig } from "../config.js";
import { errors } from "../errors.js";
import { createStorageClients } from "../storage/clients.js";
import { adoptAzurite, startDetachedAzurite } from "../storage/detached-azurite.js";
import {
  type AzuritePorts,
  azuriteConnectionString,
  type EmbeddedAzurite,
  startAzurite,
} from "../storage/embedded-azurite.js";
import { type DurableHostSettings, durableHostSettings } from "./durable/host-settings.js";
import { createLocalDurable } from "./durable/local-durable-extension.js";
import { readHostJson } from "./host-json.js";
import { createLocalHost, type LocalHost } from "./local-host.js";
import { readLocalSettings } from "./local-settings.js";

export interface LocalAppOptions {
  /** The Functions app folder (package.json, host.json, local.settings.json). */
  appDir: string;
  /** Entry file instead of package.json `main` (e.g. `functions/index.ts` when running from sources). */
  entry?: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /**
   * Storage: `embedded` runs Azurite (in memory, or persisted under `dir`, default
   * `<appDir>/.azurite`) in a process of its own on ports `port`..`port`+2 (default 10000), reusing
   * one that already answers there (see detached-azurite.ts); `isolated` starts an in-memory Azurite
   * of its own on free ports (nothing shared, nothing kept); `environment` uses AzureWebJobsStorage
   * as set.
   */
  storage?:
    | { kind: "embedded"; inMemory?: boolean; dir?: string; port?: number }
    | { kind: "isolated" }
    | { kind: "environment" };
  /** Extra app settings, over local.settings.json and the process environment. */
  settings?: Record<string, string>;
  /**
   * Where the generated host admin key is kept when `BATCHFN_ADMIN_KEY` is not set; default
   * `<appDir>/.batchfn/local.json` (where the CLI looks for it).
   */
  adminKeyFile?: string;
  log?: (line: string) => void;
}

export interface LocalApp {
  url: string;
  connectionString: string | undefined;
  config: Config;
  host: LocalHost;
  /** The host admin key every route accepts (`x-functions-key` or `Authorization: Bearer`). */
  adminKey: LocalAdminKey;
  stop(): Promise<void>;
}

/**
 * The whole app on one machine: embedded Azurite, the app settings (local.settings.json under the
 * environment), the local Functions host with the Durable extension, serving the app's own
 * `functions/` registrations. What `npm start` and `npm run demo` run. Without `BATCHFN_ADMIN_KEY`,
 * the host admin key is read from (or generated into) `.batchfn/local.json`.
 */
export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const fileSettings = await readLocalSettings(options.appDir);
  for (const [key, value] of Object.entries({ ...fileSettings, ...options.settings })) {
    if (options.settings?.[key] !== undefined || process.env[key] === undefined) process.env[key] = value;
  }
  let azurite: EmbeddedAzurite | undefined;
  const storage = options.storage ?? { kind: "embedded" };
  if (storage.kind === "embedded") {
    const port = storage.port ?? DEFAULT_AZURITE_PORT;
    const ports = { blob: port, queue: port + 1, table: port + 2 };
    const dir = storage.dir ?? join(options.appDir, ".azurite");
    azurite = await startOrReuseAzurite(dir, storage.inMemory ?? false, ports);
    process.env.AzureWebJobsStorage = azurite?.connectionString ?? azuriteConnectionString(ports);
  } else if (storage.kind === "isolated") {
    azurite = await startAzurite({ inMemory: true });
    process.env.AzureWebJobsStorage = azurite.connectionString;
  }
  const adminKey = await localAdminKey(
    process.env.BATCHFN_ADMIN_KEY,
    options.adminKeyFile ?? join(options.appDir, ".batchfn", "local.json"),
  );
  process.env.BATCHFN_ADMIN_KEY = adminKey.key;
  const config = loadConfig(process.env);
  const hostJson = await readHostJson(options.appDir);
  const clients = createStorageClients(config.storage);
  const durable = createLocalDurable({
    clients,
    settings: withResolvedHub(durableHostSettings(hostJson, availableParallelism())),
    masterKey: adminKey.key,
    log: (level, message) => options.log?.(`[durable ${level}] ${message}`),
  });
  const host = createLocalHost({
    appDir: options.appDir,
    entry: options.entry,
    port: options.port ?? 7071,
    storage: config,
    durable,
    log: (record) => options.log?.(`[${record.level}] ${record.message}`),
  });
  try {
    await host.start();
  } catch (thrown) {
    await azurite?.stop();
    throw thrown;
  }
  process.env.WEBSITE_HOSTNAME = new URL(host.url).host;
  return {
    url: host.url,
    connectionString: process.env.AzureWebJobsStorage,
    config,
    host,
    adminKey,
    async stop() {
      await host.stop();
      await azurite?.stop();
    },
  };
}

const DEFAULT_AZURITE_PORT = 10000;

/**
 * Adopts the Azurite a previous start left running in `dir`, or returns undefined when another
 * Azurite answers on the ports (it is used, never stopped), or starts one in a process of its own.
 */
async function startOrReuseAzurite(
  dir: string,
  inMemory: boolean,
  ports: AzuritePorts,
): Promise<EmbeddedAzurite | undefined> {
  if (await answers(`http://127.0.0.1:${ports.blob}/devstoreaccount1?comp=list`)) {
    return adoptAzurite(dir, ports);
  }
  return startDetachedAzurite({ dir, inMemory, ports });
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** host.json may name the task hub by an app setting (`"hubName": "%BATCHFN_TASK_HUB%"`), as in Azure. */
function withResolvedHub(settings: DurableHostSettings): DurableHostSettings {
  const setting = /^%([^%]+)%$/.exec(settings.hubName)?.[1];
  if (!setting) return settings;
  const value = process.env[setting];
  if (!value) {
    throw errors.invalidConfig(
      `host.json names the task hub by the app setting ${setting}, which is not set.`,
      [{ path: setting, message: `${setting} is not set` }],
    );
  }
  return { ...settings, hubName: value };
}
