import azureFunctions from "@azure/functions";
import * as df from "durable-functions";
import { appContext } from "../src/app/app-context.js";

const { app } = azureFunctions;
const { watchdog } = appContext();

// At start-up and every minute: jobs whose orchestration ended or vanished without their record
// saying so (terminated through the management API, storage that lost writes) are settled.
app.timer("jobWatchdog", {
  schedule: "0 * * * * *",
  runOnStartup: true,
  extraInputs: [df.input.durableClient()],
  handler: watchdog,
});
