import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type LocalAdminKey, localAdminKey } from "../auth/local-admin-key.js";
import { type Config, loadConfig } from "../config.js";
import { errors } from "../errors.js";
import { createStorageClients } from "../storage/clients.js";
import { azuriteConnectionString, type EmbeddedAzurite, startAzurite } from "../storage/embedded-azurite.js";
import { type DurableHostSettings, durableHostSettings } from "./durable/host-settings.js";
import { createLocalDurable } from "./durable/local-durable-extension.js";
import { readHostJson } from "./host-json.js";
import { type AzuriteUse, openLocalAzurite } from "./local-azurite.js";
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
   * Storage: `embedded` runs Azurite persisted under `dir` (default `<appDir>/.azurite`) in a
   * process of its own on ports `port`..`port`+2 (default 10000), reusing one that already answers
   * there (see detached-azurite.ts), or, `inMemory`, an in-memory Azurite of its own on free ports
   * (on `port`.. when given); `isolated` is the in-memory one on free ports; `environment` uses
   * AzureWebJobsStorage as set. See local-azurite.ts.
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
  /** The embedded Azurite it got (not for `environment` storage). */
  azurite: AzuriteUse | undefined;
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
  let azuriteUse: AzuriteUse | undefined;
  const storage = options.storage ?? { kind: "embedded" };
  if (storage.kind === "embedded") {
    const opened = await openLocalAzurite({
      dir: storage.dir ?? join(options.appDir, ".azurite"),
      inMemory: storage.inMemory ?? false,
      port: storage.port,
    });
    azurite = opened.azurite;
    azuriteUse = opened.use;
    process.env.AzureWebJobsStorage = azuriteConnectionString(opened.use.ports);
  } else if (storage.kind === "isolated") {
    azurite = await startAzurite({ inMemory: true });
    azuriteUse = { kind: "in-memory", ports: azurite.ports, freePorts: true };
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
    azurite: azuriteUse,
    config,
    host,
    adminKey,
    async stop() {
      await host.stop();
      await azurite?.stop();
    },
  };
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
