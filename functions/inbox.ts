import azureFunctions, { type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { z } from "zod";
import { appContext } from "../src/app/app-context.js";
import { startInboxJob } from "../src/jobs/inbox/inbox-job.js";
import { durableJobRunner } from "../src/jobs/job-runner.js";

const { app } = azureFunctions;

const triggerMetadata = z.object({
  name: z.string(),
  properties: z
    .object({ etag: z.string().optional(), eTag: z.string().optional(), ETag: z.string().optional() })
    .passthrough(),
});

// A blob dropped in the inbox (`<endpoint>/<path>`) starts a job. In Azure (Flex Consumption) the
// trigger must be Event Grid based; locally (Azurite, no Event Grid) it scans the container.
app.storageBlob("inboxJob", {
  path: "%BATCHFN_INBOX_CONTAINER%/{name}",
  connection: "AzureWebJobsStorage",
  source: process.env.BATCHFN_INBOX_SOURCE === "EventGrid" ? "EventGrid" : "LogsAndContainerScan",
  extraInputs: [df.input.durableClient()],
  handler: async (_blob: unknown, context: InvocationContext) => {
    const meta = triggerMetadata.parse(lowerKeys(context.triggerMetadata ?? {}));
    const etag = meta.properties.etag ?? meta.properties.eTag ?? meta.properties.ETag ?? "";
    const { engine, registry, config } = appContext();
    const result = await startInboxJob(
      { name: meta.name, etag },
      {
        config,
        registry,
        records: engine.records,
        jobs: engine.jobs,
        outputs: engine.outputs,
        runner: durableJobRunner(df.getClient(context)),
      },
    );
    context.log(
      `Inbox blob '${meta.name}' → job '${result.job}'${result.created ? "" : " (already started)"}`,
    );
  },
});

/** Trigger metadata keys arrive as `Name`/`Properties` from some hosts and `name`/`properties` from others. */
function lowerKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.charAt(0).toLowerCase() + key.slice(1), v]),
  );
}
