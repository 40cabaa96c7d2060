import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { examplePath } from "../examples/example-files.js";

/** One taxi trip, at `azureml://datastores/workspaceblobstore/paths/auth/trip.csv`. */
export const TRIP_INPUT = "azureml://datastores/workspaceblobstore/paths/auth/trip.csv";
const CSV = "fareAmount,paymentType,passengerCount,tripDistance,tripTimeSecs\n12.5,1,1,2.4,720\n";

/**
 * Gives each endpoint (created beforehand through the API, so key endpoints got their keys) the
 * taxi-tip example deployment, straight through the registry of the app's settings, and uploads
 * the one-trip input.
 */
export async function deployTaxi(
  settings: Record<string, string>,
  endpoints: readonly string[],
): Promise<void> {
  const config = loadConfig(settings);
  const clients = createStorageClients(config.storage);
  const registry = createRegistry({ clients, config });
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-auth-"));
  const deployment = await readFile(examplePath("taxi-tip", "deployment.yml"), "utf8");
  for (const endpoint of endpoints) {
    const file = join(workDir, `${endpoint}.yml`);
    await writeFile(
      file,
      deployment
        .replace("endpoint_name: taxi-tip", `endpoint_name: ${endpoint}`)
        .replace("path: ./model", `path: ${examplePath("taxi-tip", "model")}`),
    );
    await registerDeploymentFile(file, { registry, workDir });
  }
  await clients.blob
    .getContainerClient(config.containers.data)
    .getBlockBlobClient("auth/trip.csv")
    .upload(CSV, CSV.length);
}
