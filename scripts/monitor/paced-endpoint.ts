import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { registerDeploymentFile, registerEndpointFile } from "../../src/api/registry/register-from-files.js";
import type { Config } from "../../src/config.js";
import { createRegistry } from "../../src/registry/registry.js";
import { createStorageClients } from "../../src/storage/clients.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface PacedDeployment {
  name: string;
  /** Milliseconds each file takes. */
  paceMs: number;
  settings: Record<string, unknown>;
}

/**
 * An endpoint whose deployments run `paced/score.mjs` (slow on purpose; files named `bad*` fail),
 * registered straight through the registry of the app's settings, and `files` uploaded to
 * `azureml://datastores/workspaceblobstore/paths/<folder>/`. For the job monitor's browser tests
 * and screenshots. The first deployment is the default.
 */
export async function setUpPacedEndpoint(options: {
  config: Config;
  workDir: string;
  endpoint: string;
  deployments: readonly PacedDeployment[];
  folder: string;
  files: readonly string[];
}): Promise<void> {
  const clients = createStorageClients(options.config.storage);
  const registry = createRegistry({ clients, config: options.config });
  await mkdir(options.workDir, { recursive: true });
  const endpointFile = join(options.workDir, `${options.endpoint}.yml`);
  await writeFile(
    endpointFile,
    stringify({
      name: options.endpoint,
      description: "Scores text files at a steady pace; files named bad* fail.",
    }),
  );
  await registerEndpointFile(endpointFile, { registry, workDir: options.workDir });
  for (const [index, deployment] of options.deployments.entries()) {
    const file = join(options.workDir, `${options.endpoint}-${deployment.name}.yml`);
    await writeFile(
      file,
      stringify({
        name: deployment.name,
        endpoint_name: options.endpoint,
        model: { name: "paced-model", version: 1, path: resolve(here, "paced/model") },
        code_configuration: { code: resolve(here, "paced"), scoring_script: "score.mjs" },
        environment_variables: { PACE_MS: String(deployment.paceMs) },
        settings: deployment.settings,
      }),
    );
    await registerDeploymentFile(file, { registry, workDir: options.workDir, setDefault: index === 0 });
  }
  const data = clients.blob.getContainerClient(options.config.containers.data);
  await data.createIfNotExists();
  for (const name of options.files) {
    const body = Buffer.from(`${name}\n`);
    await data.getBlockBlobClient(`${options.folder}/${name}`).upload(body, body.length);
  }
}
