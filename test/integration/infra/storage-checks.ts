import { calleeName } from "./bicep-ast.js";
import { type DeployedResource, type Deployment, field, ResourceRef, show } from "./bicep-values.js";
import type { Combination } from "./combinations.js";

/** The built-in roles the app's identity may hold, by name, with their role definition ids. */
export const ROLES = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
  "Durable Task Data Contributor": "0ad04412-c4d5-4796-b79c-f76d14c8d402",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
} as const;

type RoleName = keyof typeof ROLES;

/**
 * The roles (and the type of resource each is scoped to) the app's identity needs in a
 * combination, and nothing more: blob (host, Durable, user delegation SAS), queue (blob trigger
 * receipts and poison queue, the Azure Storage backend), table (registry and job records, the
 * Azure Storage backend), metrics; the scheduler's task hub with that backend; the registry on
 * Container Apps.
 */
export function neededRoles(combination: Combination): Array<[RoleName, string]> {
  const roles: Array<[RoleName, string]> = [
    ["Storage Blob Data Owner", "Microsoft.Storage/storageAccounts"],
    ["Storage Queue Data Contributor", "Microsoft.Storage/storageAccounts"],
    ["Storage Table Data Contributor", "Microsoft.Storage/storageAccounts"],
    ["Monitoring Metrics Publisher", "Microsoft.Insights/components"],
  ];
  if (combination.durableBackend === "durableTaskScheduler") {
    roles.push(["Durable Task Data Contributor", "Microsoft.DurableTask/schedulers/taskHubs"]);
  }
  if (combination.hosting === "containerapps")
    roles.push(["AcrPull", "Microsoft.ContainerRegistry/registries"]);
  return roles;
}

/** The containers the app uses and its deployment package container exist in its account. */
export function checkContainers(
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
  // Flex Consumption reads its package from a container of the account; a Container App has none.
  let deploymentContainer: string | undefined;
  if (app.type === "Microsoft.Web/sites") {
    const storageConfig = field(
      field(field(app.body.properties, "functionAppConfig"), "deployment"),
      "storage",
    );
    const endpoint = `⟨${storage.key}.properties.primaryEndpoints.blob⟩`;
    const value = show(field(storageConfig, "value"));
    deploymentContainer = value.startsWith(endpoint) ? value.slice(endpoint.length) : undefined;
    if (deploymentContainer === undefined) {
      problems.push(
        `the deployment package URL must be a container of the app's storage account, got ${value}`,
      );
    }
  }
  for (const name of [...needed, ...(deploymentContainer === undefined ? [] : [deploymentContainer])]) {
    if (!created.includes(name)) problems.push(`container '${name}' is not created in the storage account`);
  }
}

/** The tables the code opens exist in the account. */
export function checkTables(
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

/**
 * The app's identity holds exactly the roles `neededRoles` lists, each on a resource of its type
 * declared here (never a resource group or subscription), and every role assignment is named guid().
 */
export function checkRoles(
  stage1: Deployment,
  identity: DeployedResource,
  combination: Combination,
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
  const held = assignments
    .filter((a) => show(field(a.body.properties, "principalId")) === principal)
    .map((a) => {
      const roleId = show(field(a.body.properties, "roleDefinitionId")).split("/").pop() ?? "";
      const name = (Object.keys(ROLES) as RoleName[]).find((role) => ROLES[role] === roleId);
      const scope = a.body.scope instanceof ResourceRef ? a.body.scope.resource : undefined;
      return { assignment: a, name: name ?? roleId, scope };
    });
  const needed = neededRoles(combination);
  for (const [role, scopeType] of needed) {
    const found = held.some(
      (h) => h.assignment.unconditional && h.name === role && h.scope?.type === scopeType,
    );
    if (!found)
      problems.push(`the app's identity has no '${role}' role (${ROLES[role]}) on the ${scopeType}`);
  }
  for (const h of held) {
    if (!needed.some(([role, scopeType]) => role === h.name && h.scope?.type === scopeType)) {
      problems.push(
        `the app's identity must not hold '${h.name}' on ${h.scope ? h.scope.type : "the resource group"} (${h.assignment.file} ${h.assignment.symbol}): more than it needs`,
      );
    }
  }
}
