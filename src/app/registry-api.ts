import { guarded, routeAccess } from "../api/guard.js";
import type { Handler } from "../api/http.js";
import { createRegistryApi, type RegistryRoute, registryRoutes } from "../api/registry/registry-api.js";
import { createUploadSigner } from "../api/registry/upload-signer.js";
import type { Authorizer } from "../auth/authorizer.js";
import type { Config } from "../config.js";
import type { StorageClients } from "../storage/clients.js";
import type { Engine } from "./create-engine.js";

/** A registry route with its handler, behind its access rule (functions/registry-api.ts registers each). */
export interface GuardedRoute extends Pick<RegistryRoute, "name" | "route" | "methods"> {
  handler: Handler;
}

/**
 * The registry API's routes. Every registry route needs an admin credential (the host admin key or
 * the Admin role); the keys of the endpoint a route manages are refused with 403 rather than 401.
 */
export function createRegistryRoutes(options: {
  config: Config;
  clients: StorageClients;
  engine: Engine;
  auth: () => Authorizer;
}): GuardedRoute[] {
  const { config, engine } = options;
  const api = createRegistryApi({
    registry: engine.registry,
    workDir: engine.workDir,
    pythonInterpreter: config.python.interpreter,
    signer: createUploadSigner({ blob: options.clients.blob }),
    artifactsContainer: config.containers.artifacts,
    token: config.auth.token,
  });
  return registryRoutes.map(({ name, route, methods, handler, endpointParam }) => ({
    name,
    route,
    methods,
    handler: guarded(options.auth, routeAccess.admin(endpointParam), api[handler]),
  }));
}
