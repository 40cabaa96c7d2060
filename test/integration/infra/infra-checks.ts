import { readFileSync } from "node:fs";
import {
  type DeployedResource,
  type Deployment,
  evaluateDeployment,
  isObject,
  ResourceRef,
  readParametersFile,
  show,
  type Value,
} from "./bicep-deployment.js";
import { type Expr, parseBicep } from "./bicep-syntax.js";
import { checkInboxSubscription } from "./inbox-subscription-checks.js";

/** What the code needs from the deployment; the test derives every item from the sources. */
export interface InfraExpectations {
  /** The settings src/config.ts reads (`CONFIG_SETTINGS`). */
  configSettings: { storage: string; storageIdentity: readonly string[]; optional: readonly string[] };
  /** Further settings that must be set: `%NAME%` references, policies, settings a later step reads. */
  requiredSettings: readonly string[];
  /** Settings whose value is fixed in Azure (e.g. BATCHFN_INBOX_SOURCE = EventGrid). */
  expectedValues: Readonly<Record<string, string>>;
  /** Every BATCHFN_* name batchfn reads (or will read); any other BATCHFN_* setting is a typo. */
  knownSettings: readonly string[];
  /** The containers and table prefix the app uses under the given settings (src/config.ts). */
  resolve(settings: Record<string, string>): ResolvedConfig;
  /** The code's tables, as suffixes of the table prefix (`Endpoints`, `Jobs`, ...). */
  tableSuffixes: readonly string[];
  /** The blob trigger Event Grid delivers to (functions/inbox.ts). */
  inboxFunction: string;
  /** Parameters infra/main.bicep must expose. */
  mainParameters: readonly string[];
}

/** The part of src/config.ts's Config the deployment must provide for. */
export interface ResolvedConfig {
  containers: Record<string, string>;
  tablePrefix: string;
}

export interface InfraFiles {
  main: string;
  parameters: string;
  inboxSubscription: string;
}

export const ROLES = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

/** Settings the Flex Consumption plan refuses or that would bring keys back. */
const FORBIDDEN_SETTINGS = [
  "AzureWebJobsStorage",
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "APPINSIGHTS_INSTRUMENTATIONKEY",
];

/** Checks the Bicep files against what the code needs; returns one sentence per problem. */
export function checkInfra(files: InfraFiles, expect: InfraExpectations): string[] {
  const problems: string[] = [];
  const parameters = readParametersFile(files.parameters);
  const stage1 = evaluateDeployment(files.main, parameters);
  checkParameters(stage1, Object.keys(parameters), expect, problems);
  checkNoSharedKeys(stage1, problems);

  const declared = stage1.resources.filter((r) => !r.existing);
  const apps = declared.filter(
    (r) => r.type === "Microsoft.Web/sites" && /functionapp/.test(String(r.body.kind)),
  );
  const [app] = apps;
  if (!app || apps.length > 1) {
    problems.push(`expected one Function App (Microsoft.Web/sites, kind functionapp), found ${apps.length}`);
    return problems;
  }
  const identity = checkFunctionApp(app, declared, problems);
  const settings = appSettingsOf(app, declared);
  const storage = settingsStorage(settings, declared, problems);
  checkSettings(settings, expect, identity, problems);
  const insights = checkMonitoring(settings, declared, problems);

  const literal: Record<string, string> = {};
  for (const name of expect.configSettings.optional) {
    const value = settings[name];
    if (typeof value === "string") literal[name] = value;
    else if (value !== undefined)
      problems.push(`app setting ${name} must be a value the checks can read, got ${show(value)}`);
  }
  let resolved: ResolvedConfig | undefined;
  try {
    resolved = expect.resolve(literal);
  } catch (thrown) {
    problems.push(
      `the app settings do not pass src/config.ts: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
  }
  if (storage && resolved) {
    checkContainers(app, storage, declared, Object.values(resolved.containers), problems);
    checkTables(
      storage,
      declared,
      expect.tableSuffixes.map((suffix) => `${resolved?.tablePrefix}${suffix}`),
      problems,
    );
  }
  if (storage && identity) checkRoles(stage1, identity, storage, insights, problems);
  if (storage && resolved) {
    const topic = declared.find(
      (r) =>
        r.type === "Microsoft.EventGrid/systemTopics" &&
        show(r.body.properties && member(r.body.properties, "source")) === `${storage.key}.id`,
    );
    if (!topic) problems.push("no Event Grid system topic has the storage account as its source");
    else if (member(topic.body.properties, "topicType") !== "Microsoft.Storage.StorageAccounts") {
      problems.push(`system topic ${topic.symbol} must have topicType Microsoft.Storage.StorageAccounts`);
    }
    const inbox = resolved.containers.inbox;
    if (topic && inbox !== undefined) {
      checkInboxSubscription(
        {
          file: files.inboxSubscription,
          stage1,
          app,
          topic,
          inboxContainer: inbox,
          inboxFunction: expect.inboxFunction,
        },
        problems,
      );
    }
  }
  return problems;
}

function checkParameters(
  stage1: Deployment,
  given: string[],
  expect: InfraExpectations,
  problems: string[],
): void {
  const declared = new Set(stage1.params.map((p) => p.name));
  for (const name of given) {
    if (!declared.has(name))
      problems.push(`main.parameters.json sets '${name}', which main.bicep does not declare`);
  }
  for (const param of stage1.params) {
    if (!param.default && !given.includes(param.name)) {
      problems.push(
        `main.bicep parameter '${param.name}' has no default and is missing from main.parameters.json`,
      );
    }
  }
  for (const name of expect.mainParameters) {
    if (!declared.has(name)) problems.push(`main.bicep must have a parameter '${name}'`);
  }
}

function checkNoSharedKeys(stage1: Deployment, problems: string[]): void {
  for (const resource of stage1.resources) {
    for (const value of valuesOfKey(resource.body, "allowSharedKeyAccess")) {
      if (value !== false)
        problems.push(`${resource.file} ${resource.symbol}: allowSharedKeyAccess is ${show(value)}`);
    }
    if (resource.type === "Microsoft.Storage/storageAccounts" && !resource.existing) {
      if (member(resource.body.properties, "allowSharedKeyAccess") !== false) {
        problems.push(
          `${resource.file} ${resource.symbol}: storage account must set allowSharedKeyAccess: false`,
        );
      }
    }
  }
  for (const file of stage1.files) {
    for (const decl of file.declarations) {
      const calls = "value" in decl && decl.value ? keyCalls(decl.value) : [];
      for (const name of calls)
        problems.push(
          `${file.path} ${decl.kind} ${"name" in decl ? decl.name : ""}: calls ${name}() (account keys)`,
        );
    }
  }
}

function checkFunctionApp(
  app: DeployedResource,
  declared: DeployedResource[],
  problems: string[],
): DeployedResource | undefined {
  const at = `${app.file} ${app.symbol}`;
  if (!String(app.body.kind).includes("linux")) problems.push(`${at}: kind must include linux`);
  const props = app.body.properties;
  const plan = declared.find((r) => `${r.key}.id` === show(member(props, "serverFarmId")));
  const sku = plan?.body.sku;
  if (!plan || member(sku, "name") !== "FC1" || member(sku, "tier") !== "FlexConsumption") {
    problems.push(`${at}: serverFarmId must name a Flex Consumption plan (sku FC1, tier FlexConsumption)`);
  }
  const config = member(props, "functionAppConfig");
  const runtime = member(config, "runtime");
  if (member(runtime, "name") !== "node" || !["20", "22"].includes(String(member(runtime, "version")))) {
    problems.push(`${at}: functionAppConfig.runtime must be node 20 or 22`);
  }
  const scale = member(config, "scaleAndConcurrency");
  for (const key of ["maximumInstanceCount", "instanceMemoryMB"]) {
    if (typeof member(scale, key) !== "number")
      problems.push(`${at}: scaleAndConcurrency.${key} must be set`);
  }
  const alwaysReady = member(scale, "alwaysReady");
  if (!Array.isArray(alwaysReady) || !alwaysReady.some((entry) => member(entry, "name") === "durable")) {
    problems.push(`${at}: scaleAndConcurrency.alwaysReady must include the 'durable' group`);
  }
  const identityBlock = app.body.identity;
  const identityIds = isObject(member(identityBlock, "userAssignedIdentities"))
    ? Object.keys(member(identityBlock, "userAssignedIdentities") as object)
    : [];
  const identity = declared.find(
    (r) =>
      r.type === "Microsoft.ManagedIdentity/userAssignedIdentities" && identityIds.includes(`${r.key}.id`),
  );
  if (!identity || !String(member(identityBlock, "type")).includes("UserAssigned")) {
    problems.push(`${at}: the app must run as a user-assigned managed identity declared here`);
  }
  const deployment = member(member(config, "deployment"), "storage");
  const auth = member(deployment, "authentication");
  if (
    member(deployment, "type") !== "blobContainer" ||
    member(auth, "type") !== "UserAssignedIdentity" ||
    (identity && show(member(auth, "userAssignedIdentityResourceId")) !== `${identity.key}.id`)
  ) {
    problems.push(
      `${at}: functionAppConfig.deployment.storage must be a blob container read with the app's identity`,
    );
  }
  return identity;
}

function appSettingsOf(app: DeployedResource, declared: DeployedResource[]): Record<string, Value> {
  const settings: Record<string, Value> = {};
  const inline = member(member(app.body.properties, "siteConfig"), "appSettings");
  if (Array.isArray(inline)) {
    for (const entry of inline) settings[String(member(entry, "name"))] = member(entry, "value") ?? null;
  }
  const resource = declared.find(
    (r) => r.type === "Microsoft.Web/sites/config" && r.fullName === `${app.fullName}/appsettings`,
  );
  const props = resource?.body.properties;
  if (isObject(props)) Object.assign(settings, props);
  return settings;
}

function settingsStorage(
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

function checkSettings(
  settings: Record<string, Value>,
  expect: InfraExpectations,
  identity: DeployedResource | undefined,
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
  for (const name of FORBIDDEN_SETTINGS) {
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

function checkMonitoring(
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
  if (member(insights.body.properties, "DisableLocalAuth") !== true) {
    problems.push(
      `${insights.file} ${insights.symbol}: DisableLocalAuth must be true (Entra authentication only)`,
    );
  }
  const workspace = show(member(insights.body.properties, "WorkspaceResourceId"));
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

function checkContainers(
  app: DeployedResource,
  storage: DeployedResource,
  declared: DeployedResource[],
  needed: string[],
  problems: string[],
): void {
  const prefix = `${storage.fullName}/default/`;
  const created = declared
    .filter(
      (r) =>
        r.type === "Microsoft.Storage/storageAccounts/blobServices/containers" &&
        r.fullName.startsWith(prefix),
    )
    .map((r) => r.fullName.slice(prefix.length));
  const packageUrl = show(
    member(member(member(app.body.properties, "functionAppConfig"), "deployment"), "storage"),
  );
  const endpoint = `⟨${storage.key}.properties.primaryEndpoints.blob⟩`;
  const value = show(
    member(
      member(member(member(app.body.properties, "functionAppConfig"), "deployment"), "storage"),
      "value",
    ),
  );
  const deploymentContainer = value.startsWith(endpoint) ? value.slice(endpoint.length) : undefined;
  if (deploymentContainer === undefined) {
    problems.push(
      `the deployment package URL must be a container of the app's storage account, got ${value || packageUrl}`,
    );
  }
  for (const name of [...needed, ...(deploymentContainer === undefined ? [] : [deploymentContainer])]) {
    if (!created.includes(name)) problems.push(`container '${name}' is not created in the storage account`);
  }
}

function checkTables(
  storage: DeployedResource,
  declared: DeployedResource[],
  needed: string[],
  problems: string[],
): void {
  const prefix = `${storage.fullName}/default/`;
  const created = declared
    .filter(
      (r) =>
        r.type === "Microsoft.Storage/storageAccounts/tableServices/tables" && r.fullName.startsWith(prefix),
    )
    .map((r) => r.fullName.slice(prefix.length));
  for (const name of needed) {
    if (!created.includes(name)) problems.push(`table '${name}' is not created in the storage account`);
  }
}

function checkRoles(
  stage1: Deployment,
  identity: DeployedResource,
  storage: DeployedResource,
  insights: DeployedResource | undefined,
  problems: string[],
): void {
  const assignments = stage1.resources.filter(
    (r) => r.type === "Microsoft.Authorization/roleAssignments" && !r.existing,
  );
  for (const assignment of assignments) {
    if (assignment.nameExpr?.kind !== "call" || show(calleeName(assignment.nameExpr)) !== "guid") {
      problems.push(`${assignment.file} ${assignment.symbol}: role assignment names must be guid(...)`);
    }
  }
  const principal = `${identity.key}.properties.principalId`;
  for (const [role, id] of Object.entries(ROLES)) {
    const scope = role === "Monitoring Metrics Publisher" ? insights : storage;
    const found = assignments.some((a) => {
      const props = a.body.properties;
      return (
        a.unconditional &&
        show(member(props, "principalId")) === principal &&
        show(member(props, "roleDefinitionId")).endsWith(`/roleDefinitions/${id}`) &&
        a.body.scope instanceof ResourceRef &&
        a.body.scope.resource.key === scope?.key
      );
    });
    if (!found)
      problems.push(
        `the app's identity has no '${role}' role (${id}) on the ${scope?.type ?? "missing resource"}`,
      );
  }
}

function calleeName(expr: Extract<Expr, { kind: "call" }>): string {
  if (expr.callee.kind === "ident") return expr.callee.name;
  if (expr.callee.kind === "member") return expr.callee.property;
  return "";
}

function keyCalls(expr: Expr): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === "object" && node !== null) {
      const record = node as Record<string, unknown>;
      if (record.kind === "call") {
        const name = calleeName(record as Extract<Expr, { kind: "call" }>);
        if (/^list(Keys|AccountSas|ServiceSas)$/.test(name)) found.push(name);
      }
      Object.values(record).forEach(visit);
    }
  };
  visit(expr);
  return found;
}

function valuesOfKey(value: Value, key: string): Value[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesOfKey(item, key));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === key ? [v, ...valuesOfKey(v, key)] : valuesOfKey(v, key),
  );
}

/** `object[key]` when object is a plain object, else undefined. */
export function member(object: Value | undefined, key: string): Value | undefined {
  return isObject(object) ? object[key] : undefined;
}

/** Parameter declarations of a Bicep file. */
export function paramsOf(path: string) {
  return parseBicep(readFileSync(path, "utf8"), path).declarations.flatMap((d) =>
    d.kind === "param" ? [d] : [],
  );
}
