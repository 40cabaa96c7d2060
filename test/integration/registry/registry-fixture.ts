import { expect } from "vitest";
import type { Config } from "../../../src/config.js";
import { BatchfnError } from "../../../src/errors.js";
import type { DeploymentInput, ModelInput } from "../../../src/registry/deployments.js";
import { createRegistry, type Registry } from "../../../src/registry/registry.js";
import type { StorageClients } from "../../../src/storage/clients.js";
import { testClients, testConfig } from "../../support/storage.js";

export interface RegistryFixture {
  config: Config;
  clients: StorageClients;
  registry: Registry;
}

/** A registry over tables and containers no other test uses. */
export function testRegistry(): RegistryFixture {
  const config = testConfig();
  const clients = testClients(config);
  return { config, clients, registry: createRegistry({ clients, config }) };
}

/** Awaits a rejection and checks it is a BatchfnError with this code (and message part). */
export async function expectBatchfnError(
  promise: Promise<unknown>,
  code: string,
  messagePart?: string,
): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError))
    throw new Error(`expected a BatchfnError ${code}, got ${String(thrown)}`);
  expect(thrown.code).toBe(code);
  if (messagePart !== undefined) expect(thrown.message).toContain(messagePart);
  return thrown;
}

export const modelInput = (
  name: string,
  version: string | number,
  path = `azureml://models/${name}/${version}`,
): ModelInput => ({
  name,
  version,
  path,
});

export const deploymentInput = (
  endpoint: string,
  name: string,
  model: { name: string; version: string },
): DeploymentInput => ({ name, endpoint_name: endpoint, model });

/** An endpoint `endpoint` with one model `m:1` and the given deployments (the first is the default). */
export async function endpointWithDeployments(
  registry: Registry,
  endpoint: string,
  deployments: string[],
): Promise<void> {
  await registry.endpoints.create({ name: endpoint });
  await registry.models.create(modelInput("m", "1"));
  for (const name of deployments) {
    await registry.deployments.create(deploymentInput(endpoint, name, { name: "m", version: "1" }));
  }
}
