import azureFunctions from "@azure/functions";
import {
  createRegistryApi,
  type RegistryApi,
  registryApiDependencies,
  registryRoutes,
} from "../src/api/registry/registry-api.js";
import { appContext } from "../src/app/app-context.js";
import { guarded, routeAccess } from "../src/auth/guard.js";

const { app } = azureFunctions;

let api: RegistryApi | undefined;
const registryApi = (): RegistryApi => {
  api ??= createRegistryApi(registryApiDependencies(appContext()));
  return api;
};

const auth = () => appContext().auth;

// Every registry route needs an admin credential (the host admin key or the Admin role); the
// keys of the endpoint a route manages are refused with 403 rather than 401.
for (const { name, route, methods, handler, endpointParam } of registryRoutes) {
  app.http(name, {
    route,
    methods,
    authLevel: "anonymous",
    handler: guarded(auth, routeAccess.admin(endpointParam), (request, context) =>
      registryApi()[handler](request, context),
    ),
  });
}
