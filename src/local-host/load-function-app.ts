import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { errors } from "../errors.js";
import { resolveAppEntry } from "./app-entry.js";
import type { WorkerCapabilities } from "./core-types.js";
import { captureRegistrations, coreState, installFunctionsCore, runHooks } from "./functions-core.js";
import { type HostJson, readHostJson } from "./host-json.js";
import { listeningOnLoopback, onLoopbackAddress } from "./loopback.js";
import { type RegisteredFunction, toRegisteredFunction } from "./registered-function.js";

export interface LoadFunctionAppOptions {
  /** The app directory: holds package.json (its `main` names the entry) and host.json. */
  appDir: string;
  /** Entry file or `*` pattern relative to appDir, instead of package.json's `main`. */
  entry?: string;
}

/** A loaded app: every registered function, its host.json and the worker capabilities. */
export interface LoadedFunctionApp {
  appDir: string;
  entryFiles: string[];
  functions: RegisteredFunction[];
  hostJson: HostJson;
  /** What the programming model added to the worker's capabilities (`HttpUri` when streaming). */
  capabilities: WorkerCapabilities;
}

interface LoadedEntry {
  functions: RegisteredFunction[];
  capabilities: WorkerCapabilities;
}

const CACHE_KEY = Symbol.for("batchfn.local-host.loaded-entries");

/**
 * Loads a Functions app the way the Node worker does: provides `@azure/functions-core`, imports the
 * entry (ES module or CommonJS; TypeScript when the process runs with a TS loader such as tsx),
 * captures every function registered meanwhile, runs the appStart hooks and asks the programming
 * model for its capabilities (which starts the library's HTTP stream proxy, on loopback only, when the
 * app enabled `app.setup({ enableHttpStream: true })`).
 *
 * A module is evaluated once per process, so loading the same entry again returns the functions
 * captured the first time (a host restarted in the same process sees the same registrations).
 */
export async function loadFunctionApp(options: LoadFunctionAppOptions): Promise<LoadedFunctionApp> {
  const appDir = resolve(options.appDir);
  installFunctionsCore();
  const [entryFiles, hostJson] = await Promise.all([
    resolveAppEntry(appDir, options.entry),
    readHostJson(appDir),
  ]);
  const cache = loadedEntries();
  const key = entryFiles.join("\n");
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = loadEntry(appDir, entryFiles);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  const { functions, capabilities } = await loaded;
  return { appDir, entryFiles, functions, hostJson, capabilities };
}

async function loadEntry(appDir: string, entryFiles: string[]): Promise<LoadedEntry> {
  const registrations = await captureRegistrations(async () => {
    for (const file of entryFiles) await import(pathToFileURL(file).href);
  });
  const functions = registrations.map(toRegisteredFunction);
  const seen = new Set<string>();
  for (const fn of functions) {
    const name = fn.name.toLowerCase();
    if (seen.has(name)) {
      throw errors.invalidConfig(`Function '${fn.name}' is registered twice in ${appDir}`, [
        { path: fn.name, message: "function names must be unique (case-insensitive)" },
      ]);
    }
    seen.add(name);
  }
  const state = coreState();
  await runHooks("appStart", { hookData: {}, appHookData: state.appHookData, functionAppDirectory: appDir });
  const getCapabilities = state.programmingModel?.getCapabilities?.bind(state.programmingModel);
  const capabilities = getCapabilities ? await listeningOnLoopback(async () => getCapabilities({})) : {};
  const { HttpUri } = capabilities;
  return {
    functions,
    capabilities: { ...capabilities, ...(HttpUri ? { HttpUri: onLoopbackAddress(HttpUri) } : {}) },
  };
}

function loadedEntries(): Map<string, Promise<LoadedEntry>> {
  const holder = globalThis as { [CACHE_KEY]?: Map<string, Promise<LoadedEntry>> };
  holder[CACHE_KEY] ??= new Map();
  return holder[CACHE_KEY];
}
