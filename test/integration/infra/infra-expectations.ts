import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { CONFIG_SETTINGS, loadConfig } from "../../../src/config.js";
import { createJobRecords } from "../../../src/jobs/records/job-records.js";
import { createRegistryTables } from "../../../src/registry/registry-tables.js";
import { createStorageClients, type StorageClients } from "../../../src/storage/clients.js";
import { repoRoot } from "../../support/app-process.js";
import type { InfraExpectations, InfraFiles } from "./infra-checks.js";

/** Files that ask the storage clients for a table; a new one means a new table for infra/ too. */
const TABLE_OWNERS = ["src/registry/registry-tables.ts", "src/jobs/records/job-records.ts"];

export function infraFiles(infraDir = join(repoRoot, "infra")): InfraFiles {
  return {
    main: join(infraDir, "main.bicep"),
    parameters: join(infraDir, "main.parameters.json"),
    inboxSubscription: join(infraDir, "inbox-subscription.bicep"),
  };
}

/** Everything the deployment must provide, read from the sources (never a copied list). */
export function codeExpectations(): InfraExpectations {
  const sources = sourceFiles();
  const text = (path: string) => readFileSync(join(repoRoot, path), "utf8");
  const hostAndFunctions = ["host.json", ...sources.filter((path) => path.startsWith("functions/"))];
  const referenced = hostAndFunctions.flatMap((path) => [...text(path).matchAll(/%([A-Za-z0-9_]+)%/g)]);
  const inbox = text("functions/inbox.ts");
  const inboxFunction = /app\.storageBlob\(\s*"([^"]+)"/.exec(inbox)?.[1];
  if (!inboxFunction) throw new Error("functions/inbox.ts: blob trigger not found");
  // The trigger's source switch is built in the composition root (functions/ only registers).
  const inboxSwitch = /BATCHFN_INBOX_SOURCE === "(\w+)" \? "\w+" : "(\w+)"/.exec(
    text("src/app/app-context.ts"),
  );
  const [, inboxSource, inboxScanSource] = inboxSwitch ?? [];
  if (!inboxSource || !inboxScanSource)
    throw new Error("src/app/app-context.ts: inbox source switch not found");
  const mentioned = sources.flatMap((path) =>
    [...text(path).matchAll(/\bBATCHFN_[A-Z0-9_]+/g)].map((m) => m[0]),
  );
  return {
    configSettings: CONFIG_SETTINGS,
    requiredSettings: [
      ...referenced.map((match) => match[1] ?? ""),
      "BATCHFN_INBOX_SOURCE",
      "BATCHFN_ALLOW_PRIVATE_URL_INPUTS",
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ],
    expectedValues: {
      BATCHFN_INBOX_SOURCE: inboxSource,
      BATCHFN_ALLOW_PRIVATE_URL_INPUTS: "false",
      AzureWebJobsStorage__credential: "managedidentity",
    },
    knownSettings: [...new Set(mentioned)],
    resolve(settings) {
      const config = loadConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true", ...settings });
      return { containers: config.containers, tablePrefix: config.tablePrefix };
    },
    tableSuffixes: tableSuffixes(sources),
    inboxFunction,
    inboxScanSource,
    mainParameters: [
      "hosting",
      "durableBackend",
      "network",
      "maximumInstanceCount",
      "instanceMemoryMB",
      "minimumReplicas",
      "maximumReplicas",
      "containerImage",
      "principalId",
    ],
    durableConcurrency: durableConcurrency(JSON.parse(text("host.json"))),
  };
}

/** host.json's per-instance Durable concurrency, which the scheduler's scale rules must match. */
function durableConcurrency(hostJson: unknown): { orchestrations: number; activities: number } {
  const durable = z
    .object({
      extensions: z.object({
        durableTask: z.object({
          maxConcurrentOrchestratorFunctions: z.number().int(),
          maxConcurrentActivityFunctions: z.number().int(),
        }),
      }),
    })
    .parse(hostJson).extensions.durableTask;
  return {
    orchestrations: durable.maxConcurrentOrchestratorFunctions,
    activities: durable.maxConcurrentActivityFunctions,
  };
}

/**
 * The tables the app's code opens, found by building the registry and the job records over clients
 * that note every table asked for (building them does no I/O).
 */
function tableSuffixes(sources: string[]): string[] {
  const owners = sources.filter(
    (path) =>
      path.startsWith("src/") &&
      !path.startsWith("src/local-host/") &&
      /\.table\(/.test(readFileSync(join(repoRoot, path), "utf8")),
  );
  const unknown = owners.filter((path) => !TABLE_OWNERS.includes(path));
  if (unknown.length > 0) {
    throw new Error(
      `${unknown.join(", ")} open tables: add them to TABLE_OWNERS here and create their tables in infra/`,
    );
  }
  const config = loadConfig({
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
    BATCHFN_TABLE_PREFIX: "probe",
  });
  const real = createStorageClients(config.storage);
  const asked = new Set<string>();
  const clients: StorageClients = {
    ...real,
    table(name) {
      asked.add(name);
      return real.table(name);
    },
  };
  createRegistryTables({ clients, config });
  createJobRecords({ clients, config });
  return [...asked].map((name) => name.slice(config.tablePrefix.length));
}

/** functions/ and src/ TypeScript files, relative to the repository. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith(".ts") ? [relative(repoRoot, path)] : [];
    });
  return [...walk(join(repoRoot, "functions")), ...walk(join(repoRoot, "src"))];
}
