import { type DeployedResource, field, isObject, show, type Value } from "./bicep-values.js";

/**
 * `hosting: 'containerapps'`: a Container App of kind functionapp in a Container Apps environment
 * declared here, running as the user-assigned identity, pulling its image from the registry
 * declared here with that identity (no admin user, no password), scaled within `maximumReplicas`.
 * Returns the identity.
 */
export function checkContainerApp(
  app: DeployedResource,
  declared: DeployedResource[],
  maximumReplicas: Value | undefined,
  problems: string[],
): DeployedResource | undefined {
  const at = `${app.file} ${app.symbol}`;
  if (app.body.kind !== "functionapp") problems.push(`${at}: kind must be functionapp`);
  const props = app.body.properties;
  const environment = declared.find(
    (r) =>
      r.type === "Microsoft.App/managedEnvironments" &&
      `${r.key}.id` === show(field(props, "managedEnvironmentId")),
  );
  if (!environment)
    problems.push(`${at}: managedEnvironmentId must name a Container Apps environment declared here`);
  const identityIds = Object.keys(asRecord(field(app.body.identity, "userAssignedIdentities")));
  const identity = declared.find(
    (r) =>
      r.type === "Microsoft.ManagedIdentity/userAssignedIdentities" && identityIds.includes(`${r.key}.id`),
  );
  if (!identity) problems.push(`${at}: the app must run as a user-assigned managed identity declared here`);

  const registries = field(field(props, "configuration"), "registries");
  const registry = declared.find((r) => r.type === "Microsoft.ContainerRegistry/registries");
  const pulls = Array.isArray(registries) ? registries : [];
  const byIdentity = pulls.filter(
    (entry) =>
      registry &&
      identity &&
      show(field(entry, "server")) === `${registry.key}.properties.loginServer` &&
      show(field(entry, "identity")) === `${identity.key}.id` &&
      field(entry, "passwordSecretRef") === undefined,
  );
  if (pulls.length !== 1 || byIdentity.length !== 1) {
    problems.push(
      `${at}: the image must be pulled from the registry declared here with the app's identity, and only so`,
    );
  }
  if (registry) {
    const registryProps = registry.body.properties;
    if (
      field(registryProps, "adminUserEnabled") !== false ||
      field(registryProps, "anonymousPullEnabled") !== false
    ) {
      problems.push(
        `${registry.file} ${registry.symbol}: the registry must have no admin user and no anonymous pull`,
      );
    }
  }
  const scale = field(field(props, "template"), "scale");
  if (maximumReplicas === undefined || field(scale, "maxReplicas") !== maximumReplicas) {
    problems.push(
      `${at}: scale.maxReplicas must be the maximumReplicas parameter (${show(maximumReplicas ?? null)}), got ${show(field(scale, "maxReplicas") ?? null)}`,
    );
  }
  return identity;
}

/** The container's environment variables, a secretRef resolved to its secret's value. */
export function containerSettingsOf(app: DeployedResource): Record<string, Value> {
  const props = app.body.properties;
  const secrets = field(field(props, "configuration"), "secrets");
  const secretValues = new Map<string, Value>();
  for (const secret of Array.isArray(secrets) ? secrets : []) {
    secretValues.set(show(field(secret, "name")), field(secret, "value") ?? null);
  }
  const containers = field(field(props, "template"), "containers");
  const [container] = Array.isArray(containers) ? containers : [];
  const env = field(container, "env");
  const settings: Record<string, Value> = {};
  for (const entry of Array.isArray(env) ? env : []) {
    const ref = field(entry, "secretRef");
    settings[show(field(entry, "name"))] =
      ref === undefined ? (field(entry, "value") ?? null) : (secretValues.get(show(ref)) ?? null);
  }
  return settings;
}

/** The Container App's `template.scale` (minReplicas, maxReplicas, rules). */
export function scaleOf(app: DeployedResource): Value | undefined {
  return field(field(app.body.properties, "template"), "scale");
}

function asRecord(value: Value | undefined): Record<string, Value> {
  return isObject(value) ? value : {};
}
