import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { type Config, loadConfig } from "../../src/config.js";
import { createStorageClients, type StorageClients } from "../../src/storage/clients.js";

/** A name no other test uses: lowercase letters and digits, valid for containers and tables. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

/** Configuration pointing at the test Azurite, with tables and containers unique to the caller. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const id = uniqueName("t");
  return loadConfig({
    AzureWebJobsStorage: inject("azuriteConnectionString"),
    BATCHFN_TABLE_PREFIX: id,
    BATCHFN_DATA_CONTAINER: `${id}-data`,
    BATCHFN_ARTIFACTS_CONTAINER: `${id}-artifacts`,
    BATCHFN_INBOX_CONTAINER: `${id}-inbox`,
    BATCHFN_OUTBOX_CONTAINER: `${id}-outbox`,
    BATCHFN_JOBS_CONTAINER: `${id}-jobs`,
    ...(process.env.BATCHFN_PYTHON ? { BATCHFN_PYTHON: process.env.BATCHFN_PYTHON } : {}),
    ...overrides,
  });
}

/** SDK clients for the test Azurite. */
export function testClients(config: Config = testConfig()): StorageClients {
  return createStorageClients(config.storage);
}
