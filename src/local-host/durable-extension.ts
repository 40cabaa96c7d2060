import type { HostJson } from "./host-json.js";
import type { RawRouteHandler, RawRouteOptions } from "./http/raw-route.js";
import type { InvocationResult, InvokeOptions } from "./invoke-function.js";
import type { RegisteredBinding, RegisteredFunction } from "./registered-function.js";

/** What the local host offers an extension once it listens. */
export interface ExtensionHost {
  /** Base URL of the host, e.g. `http://127.0.0.1:7071` (no trailing slash). */
  url: string;
  /** Every registered function of the app (orchestrations, activities, entities included). */
  functions: readonly RegisteredFunction[];
  /** The app's host.json (`extensions.durableTask`: hubName, maxConcurrentActivityFunctions...). */
  hostJson: HostJson;
  /** Invokes a function through the library (orchestration episodes, activities). */
  invoke(fn: RegisteredFunction, options: InvokeOptions): Promise<InvocationResult>;
  /** Serves a path prefix (e.g. `/runtime/webhooks/durabletask/`) with a Fetch-style handler. */
  addRawRoute(prefix: string, handler: RawRouteHandler, options?: RawRouteOptions): void;
}

/**
 * The hook the Durable side plugs into the local host with. The host calls `onFunctions` once it
 * listens (before it answers any request), asks `bindingValue` for every `durableClient` (or
 * `orchestrationClient`) input binding of an invocation it starts (HTTP, blob), passing the value
 * through as the binding's data, and calls `stop` when it stops (before closing the server).
 * The extension triggers its own functions (orchestrationTrigger, activityTrigger, entityTrigger)
 * with `host.invoke`.
 */
export interface DurableExtension {
  onFunctions(functions: readonly RegisteredFunction[], host: ExtensionHost): Promise<void> | void;
  /** The durableClient binding data (durable-protocol.md §2): an object or its JSON text. */
  bindingValue(fn: RegisteredFunction, binding: RegisteredBinding): unknown;
  stop?(): Promise<void> | void;
}

const CLIENT_BINDING_TYPES = new Set(["durableclient", "orchestrationclient"]);

/** The values of the durable client input bindings of one invocation of `fn`, by binding name. */
export function durableInputs(
  fn: RegisteredFunction,
  extension: DurableExtension | undefined,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const binding of fn.bindings) {
    if (binding.direction === "out" || !CLIENT_BINDING_TYPES.has(binding.type.toLowerCase())) continue;
    if (extension) inputs[binding.name] = extension.bindingValue(fn, binding);
  }
  return inputs;
}
