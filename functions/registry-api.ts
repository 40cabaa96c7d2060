import azureFunctions from "@azure/functions";
import { handle } from "../src/api/http.js";
import {
  createRegistryApi,
  type RegistryApi,
  registryApiDependencies,
  registryRoutes,
} from "../src/api/registry/registry-api.js";
import { appContext } from "../src/app/app-context.js";

const { app } = azureFunctions;

let api: RegistryApi | undefined;
const registryApi = (): RegistryApi => {
  api ??= createRegistryApi(registryApiDependencies(appContext()));
  return api;
};

for (const { name, route, methods, handler } of registryRoutes) {
  app.http(name, {
    route,
    methods,
    authLevel: "anonymous",
    handler: handle((request, context) => registryApi()[handler](request, context)),
  });
}
