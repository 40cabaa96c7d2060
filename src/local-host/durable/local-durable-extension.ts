import { randomBytes } from "node:crypto";
import { errors } from "../../errors.js";
import type { StorageClients } from "../../storage/clients.js";
import type { DurableExtension, ExtensionHost } from "../durable-extension.js";
import type { RegisteredFunction } from "../registered-function.js";
import { rawTypedData } from "../typed-data.js";
import type { ActivityInvoker } from "./activity-dispatcher.js";
import { WEBHOOK_PATH } from "./client-binding.js";
import { createDurableBackend, type DurableBackend, type DurableBackendOptions } from "./durable-backend.js";
import type { DurableHostSettings } from "./host-settings.js";
import type { OrchestrationTriggerHandler } from "./replay-episode.js";

/**
 * Path of the rpc base URL `DurableClient` calls, on the host's own server, followed by a secret
 * segment: the library sends no key on rpc calls, so only who was given the binding value can call.
 */
export const RPC_PATH = "/durabletask/";

export interface LocalDurableOptions
  extends Pick<
    DurableBackendOptions,
    | "systemKey"
    | "masterKey"
    | "visibilityTimeoutMs"
    | "pollIntervalMs"
    | "listPageSize"
    | "leaseWaitMs"
    | "log"
  > {
  clients: StorageClients;
  /** From host.json (`durableHostSettings`). */
  settings: DurableHostSettings;
}

/** A new random secret for a key or a URL segment. */
function secret(): string {
  return randomBytes(32).toString("base64url");
}

/** The Durable extension of the local host, with the backend it runs once the app is loaded. */
export interface LocalDurable extends DurableExtension {
  readonly backend: DurableBackend | undefined;
}

/**
 * Plugs the local Durable backend into the local host: orchestration and activity functions are
 * invoked through the host (the library's own invocation model), the management API is mounted
 * under `/runtime/webhooks/durabletask/` (the system key — generated when not given — or the master
 * key required, as the Functions host requires them) and `/durabletask/<secret>/` (the rpc base URL,
 * known only to the binding value), and every `durableClient` binding gets the backend's binding value.
 */
export function createLocalDurable(options: LocalDurableOptions): LocalDurable {
  let backend: DurableBackend | undefined;
  return {
    get backend() {
      return backend;
    },
    async onFunctions(functions: readonly RegisteredFunction[], host: ExtensionHost) {
      const orchestrations = new Map<string, OrchestrationTriggerHandler>();
      const activities = new Map<string, ActivityInvoker>();
      for (const fn of functions) {
        const trigger = fn.trigger.type.toLowerCase();
        if (trigger === "orchestrationtrigger") {
          orchestrations.set(
            fn.name,
            async (triggerInput) => (await host.invoke(fn, { triggerValue: triggerInput })).result,
          );
        } else if (trigger === "activitytrigger") {
          activities.set(fn.name, async (input) => {
            const triggerValue =
              input === undefined ? undefined : rawTypedData({ json: JSON.stringify(input) });
            return (await host.invoke(fn, { triggerValue })).result;
          });
        }
      }
      const rpcPath = `${RPC_PATH}${secret()}/`;
      const started = createDurableBackend({
        ...options,
        systemKey: options.systemKey ?? secret(),
        taskHub: options.settings.hubName,
        orchestrations,
        activities,
        maxConcurrentActivities: options.settings.maxConcurrentActivityFunctions,
        maxConcurrentOrchestrations: options.settings.maxConcurrentOrchestratorFunctions,
        hostUrl: host.url,
        rpcBaseUrl: `${host.url}${rpcPath}`,
      });
      const handler = (request: Request) => started.handleManagementRequest(request);
      host.addRawRoute(`${WEBHOOK_PATH}/`, handler);
      host.addRawRoute(rpcPath, handler);
      await started.start();
      backend = started;
    },
    bindingValue() {
      if (!backend) {
        const message = "The durable extension has not started: no durableClient binding value yet.";
        throw errors.invalidConfig(message, [{ path: "durableClient", message }]);
      }
      return backend.bindingValue();
    },
    async stop() {
      await backend?.stop();
    },
  };
}
