import type { Config, Environment } from "../config.js";
import { errors } from "../errors.js";
import { createStorageClients } from "../storage/clients.js";
import { blobServiceFor } from "./blob-trigger/blob-connection.js";
import { createBlobReceipts } from "./blob-trigger/blob-receipts.js";
import { type BlobWatcher, blobPathOf, createBlobWatcher } from "./blob-trigger/blob-watcher.js";
import { type DurableExtension, durableInputs, type ExtensionHost } from "./durable-extension.js";
import { type CoreLogRecord, coreState } from "./functions-core.js";
import { routePrefixOf } from "./host-json.js";
import type { HostKeys } from "./http/host-keys.js";
import { listenHttp, type RunningHttpServer } from "./http/http-server.js";
import { type RawRoute, type RawRouteHandler, type RawRouteOptions, rawRoute } from "./http/raw-route.js";
import { createRouteTable } from "./http/route-table.js";
import { type InvocationResult, type InvokeOptions, invokeFunction } from "./invoke-function.js";
import { loadFunctionApp } from "./load-function-app.js";
import type { RegisteredFunction } from "./registered-function.js";
import { createTimerScheduler, type TimerScheduler } from "./timer-trigger/timer-scheduler.js";

/** The Functions host's default request body limit (100 MB). */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

export interface LocalHostOptions {
  /** The Functions app directory (package.json `main`, host.json). */
  appDir: string;
  /** Entry file or pattern instead of package.json `main`. */
  entry?: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** The app's storage (AzureWebJobsStorage): blob trigger default connection and receipts table. */
  storage: Config;
  /** Keys for `function` and `admin` auth levels; without keys no key is checked (as Core Tools). */
  keys?: HostKeys;
  /** Request bodies above this many bytes are answered 413; default 100 MB. */
  maxRequestBodyBytes?: number;
  durable?: DurableExtension;
  /** App settings: `%SETTING%` in blob paths and blob connection names; default process.env. */
  env?: Environment;
  /** Pause between blob trigger scans; default 1000 ms; 0 scans only on `pollBlobs()`. */
  blobPollIntervalMs?: number;
  /** Attempts per blob version before it is given up; default 5 (Functions' maxDequeueCount). */
  blobMaxAttempts?: number;
  /** Where log lines go (process-wide, as the worker's log channel); default the console. */
  log?: (record: CoreLogRecord) => void;
}

/** A running (or runnable) local Functions host. */
export interface LocalHost {
  /** `http://127.0.0.1:7071` once started. */
  readonly url: string;
  /** The app's registered functions once started. */
  readonly functions: readonly RegisteredFunction[];
  /** Mounts a Fetch-style handler under a path prefix (before or after start). */
  addRawRoute(prefix: string, handler: RawRouteHandler, options?: RawRouteOptions): void;
  /** Invokes a function by name, with the durable client bindings filled in. */
  invoke(name: string, options?: InvokeOptions): Promise<InvocationResult>;
  /** Runs one blob trigger scan to its end. */
  pollBlobs(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  server: RunningHttpServer;
  functions: readonly RegisteredFunction[];
  watcher: BlobWatcher;
  timers: TimerScheduler;
}

/**
 * The local Functions host: loads the app's registrations, serves its HTTP triggers, watches its
 * blob triggers, runs its timer triggers and lets the Durable extension plug in (binding values,
 * raw routes, invocations).
 */
export function createLocalHost(options: LocalHostOptions): LocalHost {
  const rawRoutes: RawRoute[] = [];
  const env = options.env ?? process.env;
  let running: Running | undefined;

  const addRawRoute = (prefix: string, handler: RawRouteHandler, routeOptions?: RawRouteOptions) => {
    rawRoutes.push(rawRoute(prefix, handler, routeOptions));
    rawRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
  };
  const invoke = (fn: RegisteredFunction, invokeOptions: InvokeOptions = {}) =>
    invokeFunction(fn, {
      ...invokeOptions,
      inputs: { ...durableInputs(fn, options.durable), ...invokeOptions.inputs },
    });
  const current = (): Running => {
    if (!running)
      throw errors.invalidConfig("The local host is not started", [{ message: "call start() first" }]);
    return running;
  };

  return {
    get url() {
      return current().server.url;
    },
    get functions() {
      return current().functions;
    },
    addRawRoute,
    invoke(name, invokeOptions) {
      const fn = current().functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
      if (!fn) throw errors.notFound("Function", name);
      return invoke(fn, invokeOptions);
    },
    pollBlobs: () => current().watcher.pollOnce(),
    async start() {
      if (running) return;
      if (options.log) coreState().logSink = options.log;
      const app = await loadFunctionApp({ appDir: options.appDir, entry: options.entry });
      const storage = createStorageClients(options.storage.storage);
      const watcher = createBlobWatcher({
        watched: app.functions
          .filter((fn) => fn.trigger.type.toLowerCase() === "blobtrigger")
          .map((fn) => {
            const pattern = blobPathOf(fn, env);
            const blob = blobServiceFor(fn.trigger.connection, options.storage, env);
            return { fn, pattern, container: blob.getContainerClient(pattern.container) };
          }),
        receipts: createBlobReceipts(storage.table(`${options.storage.tablePrefix}BlobReceipts`)),
        invoke: (fn, data, triggerMetadata) => invoke(fn, { triggerValue: data, triggerMetadata }),
        pollIntervalMs: options.blobPollIntervalMs ?? 1000,
        maxAttempts: options.blobMaxAttempts ?? 5,
        concurrency: app.hostJson.extensions.blobs?.maxDegreeOfParallelism ?? 8,
      });
      const timers = createTimerScheduler({
        functions: app.functions,
        env,
        invoke: (fn, triggerValue) => invoke(fn, { triggerValue }),
        log: (level, message) => coreState().logSink({ level, category: "system", message }),
      });
      let markReady: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => {
        markReady = resolve;
      });
      const server = await listenHttp({
        host: options.host ?? "127.0.0.1",
        port: options.port ?? 7071,
        routes: createRouteTable(app.functions, routePrefixOf(app.hostJson)),
        rawRoutes: () => rawRoutes,
        keys: options.keys,
        maxRequestBodyBytes: options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES,
        httpStreamUri: app.capabilities.HttpUri,
        inputsFor: (fn) => durableInputs(fn, options.durable),
        ready,
      });
      try {
        const host: ExtensionHost = {
          url: server.url,
          functions: app.functions,
          hostJson: app.hostJson,
          invoke,
          addRawRoute,
        };
        await options.durable?.onFunctions(app.functions, host);
      } catch (thrown) {
        markReady();
        await server.close();
        throw thrown;
      }
      running = { server, functions: app.functions, watcher, timers };
      markReady();
      await watcher.start();
      timers.start();
    },
    async stop() {
      const stopping = running;
      if (!stopping) return;
      running = undefined;
      await stopping.timers.stop();
      await stopping.watcher.stop();
      await options.durable?.stop?.();
      await stopping.server.close();
    },
  };
}
