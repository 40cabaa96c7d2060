import { calleeName } from "./bicep-ast.js";
import { type DeployedResource, type Deployment, field, ResourceRef, show } from "./bicep-values.js";

/** The built-in roles the app's identity needs, by name, with their role definition ids. */
export const ROLES = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

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
  const packageUrl = show(
    field(field(field(app.body.properties, "functionAppConfig"), "deployment"), "storage"),
  );
  const endpoint = `⟨${storage.key}.properties.primaryEndpoints.blob⟩`;
  const value = show(
    field(field(field(field(app.body.properties, "functionAppConfig"), "deployment"), "storage"), "value"),
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

/** The four roles of the app's identity, and guid() names for every role assignment. */
export function checkRoles(
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
        show(field(props, "principalId")) === principal &&
        show(field(props, "roleDefinitionId")).endsWith(`/roleDefinitions/${id}`) &&
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
