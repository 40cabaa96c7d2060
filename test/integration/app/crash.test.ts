import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call, waitForJob } from "../../support/app-client.js";
import { appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";

const ITEMS = 200;

describe("a host killed in the middle of a job", () => {
  it("resumes after SIGKILL at several points and writes exactly one row per item", async () => {
    const settings = await appSettings();
    const config = loadConfig(settings);
    const clients = createStorageClients(config.storage);
    const registry = createRegistry({ clients, config });
    await registry.endpoints.create({ name: "crashy" });
    const dir = await mkdtemp(join(tmpdir(), "batchfn-crash-"));
    await writeFile(
      join(dir, "deployment.yml"),
      stringify({
        name: "echo",
        endpoint_name: "crashy",
        model: { name: "fixture-model", version: 1, path: join(repoRoot, "test/fixtures/engine/model") },
        code_configuration: {
          code: join(repoRoot, "test/fixtures/engine/fail-bad"),
          scoring_script: "score.ts",
        },
        settings: { mini_batch_size: 1, max_concurrency_per_instance: 2 },
      }),
    );
    await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
    const data = clients.blob.getContainerClient(config.containers.data);
    const names = Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(3, "0")}.txt`);
    await Promise.all(names.map((name) => data.getBlockBlobClient(`many/${name}`).upload("x", 1)));

    let app = await startAppProcess(settings);
    const invoked = await call(`${app.url}/api/batch-endpoints/crashy/jobs`, {
      body: { input: "azureml://datastores/workspaceblobstore/paths/many/", job_name: "crash-job" },
    });
    expect(invoked.status).toBe(202);
    const killedAt: number[] = [];
    for (const threshold of [15, 70, 130]) {
      for (;;) {
        const { body } = await call<{ status: string; progress?: { mini_batches: { succeeded: number } } }>(
          `${app.url}/api/jobs/crash-job`,
        );
        const done = body.progress?.mini_batches.succeeded ?? 0;
        if (done >= threshold || body.status === "Completed") {
          killedAt.push(done);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await app.kill();
      app = await startAppProcess(settings);
    }
    try {
      const done = await waitForJob(`${app.url}/api/jobs/crash-job`, 180_000);
      expect(done).toMatchObject({
        status: "Completed",
        progress: { items: { succeeded: ITEMS, failed: 0 } },
      });
      expect(killedAt.every((n) => n < ITEMS)).toBe(true);
      const rows = (await data.getBlobClient("batchfn-outputs/crash-job/predictions.csv").downloadToBuffer())
        .toString()
        .trimEnd()
        .split("\n");
      expect(rows).toEqual(names.map((name) => `${name}: fine`));
    } finally {
      await app.stop();
    }
  }, 300_000);
});
