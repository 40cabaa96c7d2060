import type { TestProject } from "vitest/node";
import { startAzurite } from "../../src/storage/embedded-azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/** Starts one in-memory Azurite on free loopback ports for the integration project, and stops it after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite({ inMemory: true });
  project.provide("azuriteConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
