import { type DeployedResource, field, isObject, show, type Value } from "./bicep-values.js";
import type { InfraExpectations } from "./infra-checks.js";

/** Settings that would bring keys back, in any hosting. */
const KEY_SETTINGS = [
  "AzureWebJobsStorage",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "APPINSIGHTS_INSTRUMENTATIONKEY",
];

/** Settings the Flex Consumption plan refuses (the runtime and package come from functionAppConfig). */
const FLEX_REFUSED = [
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_NODE_DEFAULT_VERSION",
];

/** Node.js lines Azure Functions supports and that have not reached their end of life (Node 20: April 2026). */
export const SUPPORTED_NODE = ["22"];

/** The plan, runtime, scale settings, identity and package source of the app; returns its identity. */
export function checkFunctionApp(
  app: DeployedResource,
  declared: DeployedResource[],
  problems: string[],
): DeployedResource | undefined {
  const at = `${app.file} ${app.symbol}`;
  if (!String(app.body.kind).includes("linux")) problems.push(`${at}: kind must include linux`);
  const props = app.body.properties;
  const plan = declared.find((r) => `${r.key}.id` === show(field(props, "serverFarmId")));
  const sku = plan?.body.sku;
  if (!plan || field(sku, "name") !== "FC1" || field(sku, "tier") !== "FlexConsumption") {
    problems.push(`${at}: serverFarmId must name a Flex Consumption plan (sku FC1, tier FlexConsumption)`);
  }
  const config = field(props, "functionAppConfig");
  const runtime = field(config, "runtime");
  if (field(runtime, "name") !== "node" || !SUPPORTED_NODE.includes(String(field(runtime, "version")))) {
    problems.push(
      `${at}: functionAppConfig.runtime must be node ${SUPPORTED_NODE.join(" or ")}, got ${show(field(runtime, "version") ?? null)}`,
    );
  }
  const scale = field(config, "scaleAndConcurrency");
  for (const key of ["maximumInstanceCount", "instanceMemoryMB"]) {
    if (typeof field(scale, key) !== "number") problems.push(`${at}: scaleAndConcurrency.${key} must be set`);
  }
  const alwaysReady = field(scale, "alwaysReady");
  if (!Array.isArray(alwaysReady) || !alwaysReady.some((entry) => field(entry, "name") === "durable")) {
    problems.push(`${at}: scaleAndConcurrency.alwaysReady must include the 'durable' group`);
  }
  const identityBlock = app.body.identity;
  const identityIds = isObject(field(identityBlock, "userAssignedIdentities"))
    ? Object.keys(field(identityBlock, "userAssignedIdentities") as object)
    : [];
  const identity = declared.find(
    (r) =>
      r.type === "Microsoft.ManagedIdentity/userAssignedIdentities" && identityIds.includes(`${r.key}.id`),
  );
  if (!identity || !String(field(identityBlock, "type")).includes("UserAssigned")) {
    problems.push(`${at}: the app must run as a user-assigned managed identity declared here`);
  }
  const deployment = field(field(config, "deployment"), "storage");
  const auth = field(deployment, "authentication");
  if (
    field(deployment, "type") !== "blobContainer" ||
    field(auth, "type") !== "UserAssignedIdentity" ||
    (identity && show(field(auth, "userAssignedIdentityResourceId")) !== `${identity.key}.id`)
  ) {
    problems.push(
      `${at}: functionAppConfig.deployment.storage must be a blob container read with the app's identity`,
    );
  }
  return identity;
}

/** The app settings: `siteConfig.appSettings` and a `sites/config` `appsettings` child, merged. */
export function appSettingsOf(app: DeployedResource, declared: DeployedResource[]): Record<string, Value> {
  const settings: Record<string, Value> = {};
  const inline = field(field(app.body.properties, "siteConfig"), "appSettings");
  if (Array.isArray(inline)) {
    for (const entry of inline) settings[String(field(entry, "name"))] = field(entry, "value") ?? null;
  }
  const resource = declared.find(
    (r) => r.type === "Microsoft.Web/sites/config" && r.fullName === `${app.fullName}/appsettings`,
  );
  const props = resource?.body.properties;
  if (isObject(props)) Object.assign(settings, props);
  return settings;
}

/** The storage account AzureWebJobsStorage__* names, checked against its endpoints. */
export function settingsStorage(
  settings: Record<string, Value>,
  declared: DeployedResource[],
  problems: string[],
): DeployedResource | undefined {
  const name = show(settings.AzureWebJobsStorage__accountName ?? "");
  const storage = declared.find((r) => r.type === "Microsoft.Storage/storageAccounts" && r.fullName === name);
  if (!storage)
    problems.push(
      `AzureWebJobsStorage__accountName must name the storage account declared here, got '${name}'`,
    );
  for (const service of ["blob", "queue", "table"]) {
    const key = `AzureWebJobsStorage__${service}ServiceUri`;
    const value = settings[key];
    if (
      storage &&
      value !== undefined &&
      show(value) !== `${storage.key}.properties.primaryEndpoints.${service}`
    ) {
      problems.push(`app setting ${key} must be the account's ${service} endpoint, got ${show(value)}`);
    }
  }
  return storage;
}

/** Required, forbidden, fixed and misspelt settings, and the identity-based connection values. */
export function checkSettings(
  settings: Record<string, Value>,
  expect: InfraExpectations,
  identity: DeployedResource | undefined,
  hosting: "flex" | "containerapps",
  problems: string[],
): void {
  const required = [
    ...expect.configSettings.storageIdentity,
    ...expect.configSettings.optional,
    ...expect.requiredSettings,
  ];
  for (const name of new Set(required)) {
    if (!(name in settings)) problems.push(`app setting ${name} is not set`);
  }
  for (const name of [...KEY_SETTINGS, ...(hosting === "flex" ? FLEX_REFUSED : [])]) {
    if (name in settings)
      problems.push(`app setting ${name} must not be set (keys, or refused by Flex Consumption)`);
  }
  for (const [name, value] of Object.entries(expect.expectedValues)) {
    if (name in settings && settings[name] !== value) {
      problems.push(`app setting ${name} must be '${value}', got '${show(settings[name] ?? null)}'`);
    }
  }
  for (const name of Object.keys(settings)) {
    if (name.startsWith("BATCHFN_") && !expect.knownSettings.includes(name)) {
      problems.push(`app setting ${name} is not read by batchfn (typo?)`);
    }
  }
  if (
    identity &&
    show(settings.AzureWebJobsStorage__clientId ?? "") !== `${identity.key}.properties.clientId`
  ) {
    problems.push("app setting AzureWebJobsStorage__clientId must be the client id of the app's identity");
  }
  const aiAuth = `ClientId=⟨${identity?.key}.properties.clientId⟩;Authorization=AAD`;
  if (show(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "") !== aiAuth) {
    problems.push(`app setting APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be '${aiAuth}'`);
  }
}

/** Application Insights with Entra authentication only, on a Log Analytics workspace. */
export function checkMonitoring(
  settings: Record<string, Value>,
  declared: DeployedResource[],
  problems: string[],
): DeployedResource | undefined {
  const insights = declared.find(
    (r) =>
      r.type === "Microsoft.Insights/components" &&
      show(settings.APPLICATIONINSIGHTS_CONNECTION_STRING ?? "") === `${r.key}.properties.ConnectionString`,
  );
  if (!insights) {
    problems.push(
      "APPLICATIONINSIGHTS_CONNECTION_STRING must come from an Application Insights component declared here",
    );
    return undefined;
  }
  if (field(insights.body.properties, "DisableLocalAuth") !== true) {
    problems.push(
      `${insights.file} ${insights.symbol}: DisableLocalAuth must be true (Entra authentication only)`,
    );
  }
  const workspace = show(field(insights.body.properties, "WorkspaceResourceId"));
  if (
    !declared.some(
      (r) => r.type === "Microsoft.OperationalInsights/workspaces" && `${r.key}.id` === workspace,
    )
  ) {
    problems.push(
      `${insights.file} ${insights.symbol}: WorkspaceResourceId must name a Log Analytics workspace declared here`,
    );
  }
  return insights;
}
