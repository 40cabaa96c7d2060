import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ROLES } from "../../../src/auth/roles.js";
import { repoRoot } from "../../support/app-process.js";
import { parseBicep } from "./bicep-syntax.js";
import { checkInfra } from "./infra-checks.js";
import { codeExpectations, infraFiles } from "./infra-expectations.js";

const infraDir = join(repoRoot, "infra");
const bicepFiles = [
  "main.bicep",
  "inbox-subscription.bicep",
  ...readdirSync(join(infraDir, "modules")).map((name) => `modules/${name}`),
];

describe("infra/ against the code", () => {
  it("derives what the deployment must provide from the sources", () => {
    const expectations = codeExpectations();
    expect(expectations.tableSuffixes).toEqual(
      expect.arrayContaining(["Endpoints", "Deployments", "Models", "Data", "Datastores", "Jobs"]),
    );
    expect(expectations.requiredSettings).toEqual(
      expect.arrayContaining(["BATCHFN_TASK_HUB", "BATCHFN_INBOX_CONTAINER"]),
    );
    expect(expectations.configSettings.optional).toContain("BATCHFN_JOBS_CONTAINER");
    expect(expectations.expectedValues.BATCHFN_INBOX_SOURCE).toBe("EventGrid");
    expect(expectations.inboxFunction).toBe("inboxJob");
    expect(expectations.inboxScanSource).toBe("LogsAndContainerScan");
    expect(expectations.durableConcurrency).toEqual({ orchestrations: 4, activities: 8 });
  });

  it("creates every setting, container, table and role the code needs, and no shared keys", () => {
    expect(checkInfra(infraFiles(infraDir), codeExpectations())).toEqual([]);
  });

  it("defines on the Entra app registration the roles the app checks, and pre-authorizes its scope", () => {
    const read = (name: string): unknown => JSON.parse(readFileSync(join(infraDir, "entra", name), "utf8"));
    const roles = z.array(z.object({ id: z.uuid(), value: z.string(), isEnabled: z.literal(true) }));
    const scope = z.object({ id: z.uuid(), value: z.string(), isEnabled: z.literal(true) });
    const api = z.object({
      api: z.object({
        requestedAccessTokenVersion: z.literal(2),
        oauth2PermissionScopes: z.array(scope).min(1),
        preAuthorizedApplications: z
          .array(z.object({ appId: z.uuid(), delegatedPermissionIds: z.array(z.uuid()) }))
          .optional(),
      }),
    });
    const defined = roles.parse(read("app-roles.json"));
    expect(defined.map((role) => role.value).sort()).toEqual(Object.values(ROLES).sort());
    expect(new Set(defined.map((role) => role.id)).size).toBe(defined.length);
    const first = api.parse(read("api-scope.json")).api;
    const second = api.parse(read("api-scope-azure-cli.json")).api;
    expect(second.oauth2PermissionScopes).toEqual(first.oauth2PermissionScopes);
    const scopeIds = first.oauth2PermissionScopes.map((s) => s.id);
    const azureCli = second.preAuthorizedApplications?.find(
      (app) => app.appId === "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    );
    expect(azureCli?.delegatedPermissionIds).toEqual(scopeIds);
  });

  it("builds and lints with the Bicep CLI when one is on PATH (the parse-based checks run regardless)", () => {
    for (const file of bicepFiles) {
      expect(
        parseBicep(readFileSync(join(infraDir, file), "utf8"), file).declarations.length,
      ).toBeGreaterThan(0);
    }
    const version = spawnSync("bicep", ["--version"], { encoding: "utf8" });
    if (version.error || version.status !== 0) {
      console.log(
        "bicep build / bicep lint SKIPPED: no `bicep` binary on PATH. Only the parse-based checks ran; install the Bicep CLI to also compile and lint infra/.",
      );
      return;
    }
    for (const file of ["main.bicep", "inbox-subscription.bicep"]) {
      for (const args of [
        ["build", file, "--stdout"],
        ["lint", file],
      ]) {
        const run = spawnSync("bicep", args, { cwd: infraDir, encoding: "utf8" });
        expect(run.status, `bicep ${args.join(" ")}\n${run.stdout}${run.stderr}`).toBe(0);
        expect(`${run.stdout}${run.stderr}`).not.toMatch(/\bError BCP\d+/);
      }
    }
    console.log(`bicep build and lint ran with ${version.stdout.trim()}`);
  });
});
