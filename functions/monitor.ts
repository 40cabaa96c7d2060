import azureFunctions from "@azure/functions";
import { monitorAssets } from "../src/api/monitor/monitor-assets.js";
import { createMonitorPageHandler } from "../src/api/monitor/monitor-page.js";

const { app } = azureFunctions;

// The job monitor page: static files only, no credential (the page sends one with its API calls).
app.http("monitorPage", {
  route: "monitor/{*asset}",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: createMonitorPageHandler(monitorAssets()),
});
