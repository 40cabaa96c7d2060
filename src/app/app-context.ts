import { type Authorizer, createAuthorizer } from "../auth/authorizer.js";
import { registryDirectory } from "../auth/registry-directory.js";
import { type Config, loadConfig } from "../config.js";
import { createEngine, type Engine } from "../jobs/create-engine.js";
import type { Registry } from "../registry/registry.js";
import { createStorageClients, type StorageClients } from "../storage/clients.js";

/** Everything the app's functions share in one process, built once from the environment. */
export interface AppContext {
  config: Config;
  clients: StorageClients;
  registry: Registry;
  engine: Engine;
  /** Decides who may call each route (functions/ guard every route with it). */
  auth: Authorizer;
}

let current: AppContext | undefined;

/**
 * The composition root of the Functions app: reads and validates the configuration (a bad setting
 * fails here, at start, naming the setting) and builds the storage clients, registry and engine.
 */
export function appContext(env: Record<string, string | undefined> = process.env): AppContext {
  if (current) return current;
  const config = loadConfig(env);
  const clients = createStorageClients(config.storage);
  const engine = createEngine({
    config,
    clients,
    workDir: env.BATCHFN_WORK_DIR,
    allowHttpInputs: config.inputs.allowPrivateUrls,
  });
  const auth = createAuthorizer({
    config: config.auth,
    directory: registryDirectory(engine.registry, engine.records),
  });
  current = { config, clients, registry: engine.registry, engine, auth };
  return current;
}
