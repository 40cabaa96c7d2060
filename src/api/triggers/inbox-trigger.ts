import type { InvocationContext } from "@azure/functions";
import { z } from "zod";
import { type InboxDeps, startInboxJob } from "../../jobs/inbox/inbox-job.js";
import type { JobRunner } from "../../jobs/job-runner.js";

export interface InboxTriggerDeps extends Omit<InboxDeps, "runner"> {
  /** The Durable client comes from each invocation's binding. */
  runner: (context: InvocationContext) => JobRunner;
}

/** The blob trigger's handler (the blob's body is not read: the job reads its input itself). */
export type InboxTrigger = (blob: unknown, context: InvocationContext) => Promise<void>;

const triggerMetadata = z.object({
  name: z.string(),
  properties: z
    .object({ etag: z.string().optional(), eTag: z.string().optional(), ETag: z.string().optional() })
    .passthrough(),
});

/**
 * A blob dropped in the inbox (`<endpoint>/<path>`) starts a job (see `startInboxJob`): the blob's
 * name and ETag come from the trigger's metadata, and the outcome is logged.
 */
export function createInboxTrigger(deps: InboxTriggerDeps): InboxTrigger {
  return async (_blob, context) => {
    const meta = triggerMetadata.parse(lowerKeys(context.triggerMetadata ?? {}));
    const etag = meta.properties.etag ?? meta.properties.eTag ?? meta.properties.ETag ?? "";
    const result = await startInboxJob({ name: meta.name, etag }, { ...deps, runner: deps.runner(context) });
    context.log(
      `Inbox blob '${meta.name}' → job '${result.job}'${result.created ? "" : " (already started)"}`,
    );
  };
}

/** Trigger metadata keys arrive as `Name`/`Properties` from some hosts and `name`/`properties` from others. */
function lowerKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.charAt(0).toLowerCase() + key.slice(1), v]),
  );
}
