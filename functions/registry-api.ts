import azureFunctions from "@azure/functions";
import { appContext } from "../src/app/app-context.js";

const { app } = azureFunctions;

// The registry: endpoints, deployments, models, data, datastores, artifacts (admins only).
for (const { name, route, methods, handler } of appContext().registryRoutes) {
  app.http(name, { route, methods, authLevel: "anonymous", handler });
}
