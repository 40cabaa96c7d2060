import { z } from "zod";
import { errors } from "../../errors.js";

/** The path of the extension's webhooks under the Functions host's origin. */
export const WEBHOOK_PATH = "/runtime/webhooks/durabletask";

/** Placeholders the client and the payload templates use for the instance id. */
const INSTANCE_ID = "INSTANCEID";

export interface ClientBindingOptions {
  taskHub: string;
  /** Origin of the Functions host, e.g. `http://127.0.0.1:7071`. */
  hostUrl: string;
  /** Where `DurableClient` sends every call, e.g. `http://127.0.0.1:7071/durabletask/`; ends in `/`. */
  rpcBaseUrl: string;
  /** The `durabletask_extension` system key required on webhook URLs; none when undefined. */
  systemKey?: string;
}

/** The URLs of one instance's management operations (the check-status payload). */
export interface HttpManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

/** The value of a `durableClient` input binding, as the extension hands it to the worker. */
export interface DurableClientBinding {
  taskHubName: string;
  connectionName: null;
  creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
  managementUrls: HttpManagementPayload;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: null;
}

const optionsSchema = z.object({
  taskHub: z.string().min(1),
  hostUrl: z.url().transform((url) => url.replace(/\/+$/, "")),
  rpcBaseUrl: z.url().refine((url) => url.endsWith("/"), "must end in '/'"),
  systemKey: z.string().min(1).optional(),
});

/** Builds the binding value; `df.getClient(context)` turns it into a working `DurableClient`. */
export function durableClientBinding(options: ClientBindingOptions): DurableClientBinding {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: `${issue.path.join(".")} ${issue.message}`,
    }));
    throw errors.invalidConfig(
      `Invalid durable client binding options: ${details.map((d) => d.message).join("; ")}`,
      details,
    );
  }
  const { taskHub, hostUrl, rpcBaseUrl, systemKey } = parsed.data;
  const baseUrl = `${hostUrl}${WEBHOOK_PATH}`;
  const code = systemKey ? `code=${encodeURIComponent(systemKey)}` : "";
  const withCode = (query: string) => [query, code].filter(Boolean).join("&");
  const createNewInstancePostUri = `${baseUrl}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: taskHub,
    connectionName: null,
    creationUrls: {
      createNewInstancePostUri: code ? `${createNewInstancePostUri}?${code}` : createNewInstancePostUri,
      createAndWaitOnNewInstancePostUri: `${createNewInstancePostUri}?${withCode("timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}")}`,
    },
    managementUrls: managementUrls(baseUrl, taskHub, code, INSTANCE_ID),
    baseUrl,
    requiredQueryStringParameters: code,
    rpcBaseUrl,
    httpBaseUrl: null,
  };
}

/** The check-status payload of one instance, with URLs under `baseUrl` (the webhook base). */
export function managementUrls(
  baseUrl: string,
  taskHub: string,
  code: string,
  instanceId: string,
): HttpManagementPayload {
  const query = [`taskHub=${encodeURIComponent(taskHub)}`, "connection=Storage", code]
    .filter(Boolean)
    .join("&");
  const instance = `${baseUrl}/instances/${instanceId === INSTANCE_ID ? instanceId : encodeURIComponent(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}
