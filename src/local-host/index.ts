/** The local Functions host: public API of registrations, invocation, HTTP and blob triggers. */
export { listeningLine, stopChild, whenListening } from "./child-host.js";
export type { DurableExtension, ExtensionHost } from "./durable-extension.js";
export { durableInputs } from "./durable-extension.js";
export type { CoreLogRecord } from "./functions-core.js";
export type { HostJson } from "./host-json.js";
export { readHostJson, routePrefixOf } from "./host-json.js";
export type { HostKeys } from "./http/host-keys.js";
export type { RawRouteHandler, RawRouteOptions } from "./http/raw-route.js";
export type { InvocationResult, InvokeOptions } from "./invoke-function.js";
export { invokeFunction } from "./invoke-function.js";
export type { LoadedFunctionApp, LoadFunctionAppOptions } from "./load-function-app.js";
export { loadFunctionApp } from "./load-function-app.js";
export type { LocalHost, LocalHostOptions } from "./local-host.js";
export { createLocalHost, DEFAULT_MAX_REQUEST_BODY_BYTES } from "./local-host.js";
export type { AuthLevel, RegisteredBinding, RegisteredFunction } from "./registered-function.js";
export { fromTypedData, rawTypedData, toTypedData } from "./typed-data.js";
