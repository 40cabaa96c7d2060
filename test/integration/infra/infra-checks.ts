import {
  appSettingsOf,
  checkFunctionApp,
  checkMonitoring,
  checkSettings,
  settingsStorage,
} from "./app-checks.js";
import { calleeName, type Expr } from "./bicep-ast.js";
import { evaluateDeployment, readParametersFile } from "./bicep-deployment.js";
import { type DeployedResource, type Deployment, field, isObject, show, type Value } from "./bicep-values.js";
import { type Combination, combinationOf } from "./combinations.js";
import { checkContainerApp, containerSettingsOf } from "./container-app-checks.js";
import { checkDurableBackend } from "./durable-backend-checks.js";
import { checkInboxSubscription } from "./inbox-subscription-checks.js";
import { checkNetwork } from "./network-checks.js";
import { checkContainers, checkRoles, checkTables } from "./storage-checks.js";

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
  /** The blob trigger's source when BATCHFN_INBOX_SOURCE is not EventGrid (the host's container scan). */
  inboxScanSource: string;
  /** host.json's per-instance Durable concurrency (the scheduler's scale rules on Container Apps follow it). */
  durableConcurrency: { orchestrations: number; activities: number };
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

/**
 * Checks the Bicep files against what the code needs, in one combination of hosting, Durable
 * backend and network (default: the one main.parameters.json and the defaults choose); `overrides`
 * are further parameter values. Returns one sentence per problem.
 */
export function checkInfra(
  files: InfraFiles,
  expect: InfraExpectations,
  combination?: Combination,
  overrides: Record<string, Value> = {},
): string[] {
  const problems: string[] = [];
  const parameters = readParametersFile(files.parameters);
  const stage1 = evaluateDeployment(files.main, { ...parameters, ...combination, ...overrides });
  const chosen = combinationOf(stage1.paramValues);
  checkParameters(stage1, Object.keys(parameters), expect, problems);
  checkNoSharedKeys(stage1, problems);

  const declared = stage1.resources.filter((r) => !r.existing);
  const apps = declared.filter(
    (r) =>
      (r.type === "Microsoft.Web/sites" && /functionapp/.test(String(r.body.kind))) ||
      r.type === "Microsoft.App/containerApps",
  );
  const [app] = apps;
  const wantedType = chosen.hosting === "flex" ? "Microsoft.Web/sites" : "Microsoft.App/containerApps";
  if (!app || apps.length > 1 || app.type !== wantedType) {
    problems.push(`expected one app, a ${wantedType}, found ${apps.map((a) => a.type).join(", ") || "none"}`);
    return problems;
  }
  checkHostingResources(chosen, declared, problems);
  const identity =
    chosen.hosting === "flex"
      ? checkFunctionApp(app, declared, problems)
      : checkContainerApp(app, declared, stage1.paramValues.maximumReplicas, problems);
  const settings = chosen.hosting === "flex" ? appSettingsOf(app, declared) : containerSettingsOf(app);
  const storage = settingsStorage(settings, declared, problems);
  const hostingExpect: InfraExpectations = {
    ...expect,
    expectedValues: {
      ...expect.expectedValues,
      ...(chosen.hosting === "flex" ? {} : { BATCHFN_INBOX_SOURCE: expect.inboxScanSource }),
    },
  };
  checkSettings(settings, hostingExpect, identity, chosen.hosting, problems);
  checkMonitoring(settings, declared, problems);

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
  if (identity) checkRoles(stage1, identity, chosen, problems);
  if (identity) {
    checkDurableBackend(
      { combination: chosen, app, identity, settings, declared, concurrency: expect.durableConcurrency },
      problems,
    );
  }
  if (storage) checkNetwork({ combination: chosen, app, storage, declared }, problems);
  if (storage && resolved && chosen.hosting === "flex") {
    const topic = declared.find(
      (r) =>
        r.type === "Microsoft.EventGrid/systemTopics" &&
        show(r.body.properties && field(r.body.properties, "source")) === `${storage.key}.id`,
    );
    if (!topic) problems.push("no Event Grid system topic has the storage account as its source");
    else if (field(topic.body.properties, "topicType") !== "Microsoft.Storage.StorageAccounts") {
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

/** Resources only one hosting has: none of the other hosting's may be deployed. */
function checkHostingResources(
  combination: Combination,
  declared: DeployedResource[],
  problems: string[],
): void {
  const flexOnly = ["Microsoft.Web/serverfarms", "Microsoft.Web/sites", "Microsoft.EventGrid/systemTopics"];
  const containerOnly = [
    "Microsoft.App/managedEnvironments",
    "Microsoft.App/containerApps",
    "Microsoft.ContainerRegistry/registries",
  ];
  const foreign = combination.hosting === "flex" ? containerOnly : flexOnly;
  for (const resource of declared.filter((r) => foreign.includes(r.type))) {
    problems.push(
      `${resource.file} ${resource.symbol}: ${resource.type} does not belong to hosting '${combination.hosting}'`,
    );
  }
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
      if (field(resource.body.properties, "allowSharedKeyAccess") !== false) {
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
