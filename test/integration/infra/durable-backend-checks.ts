import { type DeployedResource, field, show, type Value } from "./bicep-values.js";
import type { Combination } from "./combinations.js";
import { scaleOf } from "./container-app-checks.js";

/** The app settings that override host.json's storageProvider (AzureFunctionsJobHost__<path>). */
export const PROVIDER_TYPE = "AzureFunctionsJobHost__extensions__durableTask__storageProvider__type";
export const PROVIDER_CONNECTION =
  "AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName";

export interface DurableInput {
  combination: Combination;
  app: DeployedResource;
  identity: DeployedResource;
  settings: Record<string, Value>;
  declared: DeployedResource[];
  /** host.json's per-instance concurrency, which the scheduler's scale rules must match. */
  concurrency: { orchestrations: number; activities: number };
}

/**
 * The Durable backend: with the scheduler, its task hub (the one BATCHFN_TASK_HUB names), the
 * settings that switch host.json's provider to it with the app's identity, and on Container Apps
 * the scale rules its work items drive; with Azure Storage, none of that, and a Container App
 * that never scales to zero (nothing would wake it).
 */
export function checkDurableBackend(input: DurableInput, problems: string[]): void {
  const { combination, settings, declared } = input;
  const schedulers = declared.filter((r) => r.type === "Microsoft.DurableTask/schedulers");
  const hubs = declared.filter((r) => r.type === "Microsoft.DurableTask/schedulers/taskHubs");
  const scale = combination.hosting === "containerapps" ? scaleOf(input.app) : undefined;
  const rules = field(scale, "rules");
  const schedulerRules = (Array.isArray(rules) ? rules : []).filter(
    (rule) => field(field(rule, "custom"), "type") === "azure-durabletask-scheduler",
  );
  if (combination.durableBackend === "azureStorage") {
    if (schedulers.length + hubs.length > 0)
      problems.push("the Azure Storage backend must deploy no Durable Task Scheduler");
    for (const name of [PROVIDER_TYPE, PROVIDER_CONNECTION, "DURABLE_TASK_SCHEDULER_CONNECTION_STRING"]) {
      if (name in settings)
        problems.push(`app setting ${name} must not be set with the Azure Storage backend`);
    }
    if (scale !== undefined) {
      const min = field(scale, "minReplicas");
      if (typeof min !== "number" || min < 1) {
        problems.push(
          `the Container App must keep at least 1 replica with the Azure Storage backend, got minReplicas ${show(min ?? null)}`,
        );
      }
      if (schedulerRules.length > 0) problems.push("scheduler scale rules without a scheduler");
    }
    return;
  }
  const [scheduler] = schedulers;
  const hub = hubs.find((r) => scheduler && r.fullName.startsWith(`${scheduler.fullName}/`));
  if (!scheduler || schedulers.length > 1) {
    problems.push(`the scheduler backend needs one Durable Task Scheduler, found ${schedulers.length}`);
    return;
  }
  const hubName = settings.BATCHFN_TASK_HUB;
  if (!hub || hub.fullName !== `${scheduler.fullName}/${show(hubName ?? null)}`) {
    problems.push(`the scheduler must have the task hub BATCHFN_TASK_HUB names (${show(hubName ?? null)})`);
  }
  if (settings[PROVIDER_TYPE] !== "azureManaged") {
    problems.push(
      `app setting ${PROVIDER_TYPE} must be 'azureManaged', got '${show(settings[PROVIDER_TYPE] ?? null)}'`,
    );
  }
  const connectionName = settings[PROVIDER_CONNECTION];
  const endpoint = `⟨${scheduler.key}.properties.endpoint⟩`;
  const expected = `Endpoint=${endpoint};Authentication=ManagedIdentity;ClientID=⟨${input.identity.key}.properties.clientId⟩`;
  const connection = typeof connectionName === "string" ? settings[connectionName] : undefined;
  if (show(connection ?? null) !== expected) {
    problems.push(
      `app setting ${PROVIDER_CONNECTION} must name a setting holding '${expected}', got ${show(connectionName ?? null)} = ${show(connection ?? null)}`,
    );
  }
  if (scale !== undefined) {
    const wanted = {
      Orchestration: input.concurrency.orchestrations,
      Activity: input.concurrency.activities,
    };
    for (const [workItemType, count] of Object.entries(wanted)) {
      const rule = schedulerRules.find(
        (r) => field(field(field(r, "custom"), "metadata"), "workItemType") === workItemType,
      );
      const custom = field(rule, "custom");
      const metadata = field(custom, "metadata");
      if (
        !rule ||
        show(field(custom, "identity")) !== `${input.identity.key}.id` ||
        `⟨${show(field(metadata, "endpoint"))}⟩` !== endpoint ||
        field(metadata, "taskhubName") !== hubName ||
        field(metadata, "maxConcurrentWorkItemsCount") !== String(count)
      ) {
        problems.push(
          `the Container App needs a scale rule on the scheduler's ${workItemType} work items (the app's identity, its task hub, ${count} per replica as host.json says)`,
        );
      }
    }
  }
}
