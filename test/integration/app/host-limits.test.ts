import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { jobBlobs } from "../../../src/jobs/store/job-store.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call, waitForJob } from "../../support/app-client.js";
import { appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";

const ITEMS = 40;

/**
 * A job stored with settings this host cannot run (stored before the bounds existed, or on a bigger
 * host) is failed with the reason when the host resumes it, and stays failed across restarts. The
 * host's bound is set low (BATCHFN_MAX_CONCURRENCY_PER_INSTANCE=2) and the stored spec asks for a few
 * workers more, so that a regression fails this test instead of starting a host-killing pool.
 */
describe("a stored job above this host's bounds", () => {
  it("is failed with the reason when the host resumes it, never retried into a crash loop", async () => {
    const settings = { ...(await appSettings()), BATCHFN_MAX_CONCURRENCY_PER_INSTANCE: "2" };
    const config = loadConfig(settings);
    const clients = createStorageClients(config.storage);
    const registry = createRegistry({ clients, config });
    await registry.endpoints.create({ name: "bounded" });
    const dir = await mkdtemp(join(tmpdir(), "batchfn-limits-"));
    await writeFile(
      join(dir, "deployment.yml"),
      stringify({
        name: "slow",
        endpoint_name: "bounded",
        model: { name: "fixture-model", version: 1, path: join(repoRoot, "test/fixtures/engine/model") },
        code_configuration: {
          code: join(repoRoot, "test/fixtures/engine/slow"),
          scoring_script: "score.mjs",
        },
        environment_variables: { SLOW_MS: "300" },
        settings: { mini_batch_size: 1, max_concurrency_per_instance: 1 },
      }),
    );
    await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
    const data = clients.blob.getContainerClient(config.containers.data);
    await Promise.all(
      Array.from({ length: ITEMS }, (_, i) => data.getBlockBlobClient(`items/i${i}.txt`).upload("x", 1)),
    );

    let app = await startAppProcess(settings);
    try {
      const invoked = await call(`${app.url}/api/batch-endpoints/bounded/jobs`, {
        body: { input: "azureml://datastores/workspaceblobstore/paths/items/", job_name: "wide-job" },
      });
      expect(invoked.status).toBe(202);
      for (;;) {
        const { body } = await call<{ progress?: { mini_batches: { succeeded: number } } }>(
          `${app.url}/api/jobs/wide-job`,
        );
        if ((body.progress?.mini_batches.succeeded ?? 0) >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await app.kill();

      const jobs = clients.blob.getContainerClient(config.containers.jobs);
      const specBlob = jobs.getBlockBlobClient(jobBlobs.spec("wide-job"));
      const spec = JSON.parse((await specBlob.downloadToBuffer()).toString("utf8"));
      spec.settings.max_concurrency_per_instance = 6;
      spec.settings.retry_settings.timeout = 2_147_484;
      const text = JSON.stringify(spec);
      await specBlob.upload(text, Buffer.byteLength(text));

      app = await startAppProcess(settings);
      const ended = await waitForJob(`${app.url}/api/jobs/wide-job`, 120_000);
      expect(ended.status).toBe("Failed");
      expect(String(ended.message)).toContain("settings.max_concurrency_per_instance is 6; at most 2");
      expect(String(ended.message)).toContain("settings.retry_settings.timeout is 2147484");
      const succeeded = (ended.progress as { mini_batches: { succeeded: number } }).mini_batches.succeeded;
      expect(succeeded).toBeLessThan(ITEMS);

      await app.stop();
      app = await startAppProcess(settings);
      const again = await call(`${app.url}/api/jobs/wide-job`);
      expect(again.body).toMatchObject({ status: "Failed" });
      expect((await call(`${app.url}/api/batch-endpoints/bounded`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  }, 300_000);
});
