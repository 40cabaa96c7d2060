import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { createInboxTrigger, type InboxTrigger } from "../api/triggers/inbox-trigger.js";
import { createWatchdogTrigger, type WatchdogTrigger } from "../api/triggers/watchdog-trigger.js";
import { type Authorizer, createAuthorizer } from "../auth/authorizer.js";
import { type Config, loadConfig } from "../config.js";
import { durableJobRunner, type JobRunner } from "../jobs/job-runner.js";
import type { JobActivities } from "../jobs/orchestration/activity-contract.js";
import type { Registry } from "../registry/registry.js";
import { createStorageClients, type StorageClients } from "../storage/clients.js";
import { createEngine, type Engine } from "./create-engine.js";
import { createJobsApi, type JobsApi } from "./jobs-api.js";
import { createRegistryRoutes, type GuardedRoute } from "./registry-api.js";
import { registryDirectory } from "./registry-directory.js";

/** Everything the app's functions share in one process, built once from the environment. */
export interface AppContext {
  config: Config;
  clients: StorageClients;
  registry: Registry;
  engine: Engine;
  /** Decides who may call each route (every route's handler below is guarded with it). */
  auth: Authorizer;
  /** The HTTP handlers of the registry (one route each) and of the jobs API. */
  registryRoutes: GuardedRoute[];
  jobsApi: JobsApi;
  /** The scoring job's activities (the orchestration itself has no dependencies). */
  activities: JobActivities;
  /** The inbox blob trigger and the job watchdog timer. */
  inbox: InboxTrigger;
  watchdog: WatchdogTrigger;
}

let current: AppContext | undefined;

/**
 * The composition root of the Functions app: reads and validates the configuration (a bad setting
 * fails here, at start, naming the setting) and builds the storage clients, registry, engine, and
 * from them every handler functions/ registers. The Durable client is the one thing that comes from
 * each invocation (its binding).
 */
export function appContext(env: Record<string, string | undefined> = process.env): AppContext {
  if (current) return current;
  const config = loadConfig(env);
  const clients = createStorageClients(config.storage);
  const engine = createEngine({
    config,
    clients,
    workDir: env.BATCHFN_WORK_DIR,
    allowHttpInputs: config.inputs.allowPrivateUrls,
  });
  const auth = createAuthorizer({
    config: config.auth,
    directory: registryDirectory(engine.registry, engine.records),
  });
  const authorizer = () => auth;
  const runner = (context: InvocationContext): JobRunner => durableJobRunner(df.getClient(context));
  const { registry, records, store, outputs } = engine;
  current = {
    config,
    clients,
    registry,
    engine,
    auth,
    registryRoutes: createRegistryRoutes({ config, clients, engine, auth: authorizer }),
    jobsApi: createJobsApi({ engine, auth: authorizer, runner }),
    activities: engine.activities,
    inbox: createInboxTrigger({ config, registry, records, store, outputs, runner }),
    watchdog: createWatchdogTrigger({ records, runner }),
  };
  return current;
}

/**
 * Where the inbox trigger learns of new blobs: Event Grid in Azure (Flex Consumption requires it),
 * a container scan locally (Azurite has no Event Grid).
 */
export function inboxSource(
  env: Record<string, string | undefined> = process.env,
): "EventGrid" | "LogsAndContainerScan" {
  return env.BATCHFN_INBOX_SOURCE === "EventGrid" ? "EventGrid" : "LogsAndContainerScan";
}
