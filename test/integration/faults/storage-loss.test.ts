import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../../src/config.js";
import { registerDeploymentFile } from "../../../src/registry/register-from-files.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { type EmbeddedAzurite, startAzurite } from "../../../src/storage/embedded-azurite.js";
import { call, waitForJob } from "../../support/app-client.js";
import { type AppProcess, appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";

const ITEMS = 60;

let azurite: EmbeddedAzurite | undefined;
let app: AppProcess | undefined;

afterAll(async () => {
  await app?.stop();
  await azurite?.stop();
});

describe("the storage emulator killed in the middle of a job", () => {
  it("ends the job Completed with every row exactly once, or Failed naming what was lost; never hanging", async () => {
    const location = await mkdtemp(join(tmpdir(), "batchfn-azurite-"));
    azurite = await startAzurite({ location });
    const ports = azurite.ports;
    const settings = { ...(await appSettings()), AzureWebJobsStorage: azurite.connectionString };
    const config = loadConfig(settings);
    const clients = createStorageClients(config.storage);
    const registry = createRegistry({ clients, config });
    await registry.endpoints.create({ name: "fragile" });
    const dir = await mkdtemp(join(tmpdir(), "batchfn-fragile-"));
    await writeFile(
      join(dir, "deployment.yml"),
      stringify({
        name: "slow",
        endpoint_name: "fragile",
        model: { name: "fixture-model", version: 1, path: join(repoRoot, "test/fixtures/engine/model") },
        code_configuration: {
          code: join(repoRoot, "test/fixtures/engine/slow"),
          scoring_script: "score.mjs",
        },
        environment_variables: { SLOW_MS: "150" },
        settings: { mini_batch_size: 1, max_concurrency_per_instance: 2 },
      }),
    );
    await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
    const data = clients.blob.getContainerClient(config.containers.data);
    const names = Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(3, "0")}.txt`);
    await Promise.all(names.map((name) => data.getBlockBlobClient(`many/${name}`).upload("x", 1)));
    // Let Azurite save what is set up (its metadata is saved every 5 s).
    await new Promise((resolve) => setTimeout(resolve, 6_000));

    app = await startAppProcess(settings);
    const invoked = await call(`${app.url}/api/batch-endpoints/fragile/jobs`, {
      body: { input: "azureml://datastores/workspaceblobstore/paths/many/", job_name: "fragile-job" },
    });
    expect(invoked.status).toBe(202);
    const jobUrl = `${app.url}/api/jobs/fragile-job`;
    for (;;) {
      const { body } = await call<{ progress?: { mini_batches: { succeeded: number } } }>(jobUrl);
      if ((body.progress?.mini_batches.succeeded ?? 0) >= 15) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await azurite.kill();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    azurite = await startAzurite({ location, ports });

    const done = await waitForJob(jobUrl, 240_000);
    if (done.status === "Completed") {
      expect(done.progress).toMatchObject({ items: { succeeded: ITEMS, failed: 0 } });
      const rows = (
        await data.getBlobClient("batchfn-outputs/fragile-job/predictions.csv").downloadToBuffer()
      )
        .toString()
        .trimEnd()
        .split("\n");
      expect(rows).toEqual(names.map((name) => `${name}: slow`));
    } else {
      expect(done.status).toBe("Failed");
      expect(String(done.message)).toMatch(/lost|no longer exists/);
    }
  }, 400_000);
});
