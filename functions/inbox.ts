import azureFunctions from "@azure/functions";
import * as df from "durable-functions";
import { appContext, inboxSource } from "../src/app/app-context.js";

const { app } = azureFunctions;
const { inbox } = appContext();

// A blob dropped in the inbox (`<endpoint>/<path>`) starts a job. In Azure (Flex Consumption) the
// trigger must be Event Grid based; locally (Azurite, no Event Grid) it scans the container.
app.storageBlob("inboxJob", {
  path: "%BATCHFN_INBOX_CONTAINER%/{name}",
  connection: "AzureWebJobsStorage",
  source: inboxSource(),
  extraInputs: [df.input.durableClient()],
  handler: inbox,
});
