import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { type EmbeddedAzurite, startAzurite } from "../../../src/storage/embedded-azurite.js";
import { call, waitForJob } from "../../support/app-client.js";
import { type AppProcess, appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";

const ITEMS = 60;
const NAMES = Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(3, "0")}.txt`);

let azurite: EmbeddedAzurite | undefined;
let app: AppProcess | undefined;

afterEach(async () => {
  await app?.stop();
  await azurite?.stop();
  app = undefined;
  azurite = undefined;
});

/**
 * An app on an Azurite of its own that keeps its data in files (as `npm start` does), with a slow
 * deployment and 60 one-item mini-batches, and a job running; resolves once 15 have succeeded.
 */
async function runningJob(
  job: string,
): Promise<{ jobUrl: string; data: ContainerClient; restart(): Promise<void> }> {
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
      code_configuration: { code: join(repoRoot, "test/fixtures/engine/slow"), scoring_script: "score.mjs" },
      environment_variables: { SLOW_MS: "150" },
      settings: { mini_batch_size: 1, max_concurrency_per_instance: 2 },
    }),
  );
  await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
  const data = clients.blob.getContainerClient(config.containers.data);
  await Promise.all(NAMES.map((name) => data.getBlockBlobClient(`many/${name}`).upload("x", 1)));
  // Let Azurite save what is set up (it saves its metadata every 5 s).
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  app = await startAppProcess(settings);
  const invoked = await call(`${app.url}/api/batch-endpoints/fragile/jobs`, {
    body: { input: "azureml://datastores/workspaceblobstore/paths/many/", job_name: job },
  });
  expect(invoked.status).toBe(202);
  // The kill must find the job itself saved (Azurite saves every 5 s): a kill sooner loses the job's
  // record with the rest, and the job is then unknown rather than failed (see docs/local-host.md).
  const saved = new Promise((resolve) => setTimeout(resolve, 6_000));
  const jobUrl = `${app.url}/api/jobs/${job}`;
  for (;;) {
    const { body } = await call<{ progress?: { mini_batches: { succeeded: number } } }>(jobUrl);
    if ((body.progress?.mini_batches.succeeded ?? 0) >= 15) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await saved;
  return {
    jobUrl,
    data,
    async restart() {
      await azurite?.kill();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      azurite = await startAzurite({ location, ports });
    },
  };
}

/** Every row once, in order, when the job completed; a reason naming the loss when it failed. */
async function expectWholeOrExplained(done: Record<string, unknown>, data: ContainerClient, job: string) {
  if (done.status === "Completed") {
    expect(done.progress).toMatchObject({ items: { succeeded: ITEMS, failed: 0 } });
    const rows = (await data.getBlobClient(`batchfn-outputs/${job}/predictions.csv`).downloadToBuffer())
      .toString()
      .trimEnd()
      .split("\n");
    expect(rows).toEqual(NAMES.map((name) => `${name}: slow`));
  } else {
    expect(done.status).toBe("Failed");
    expect(String(done.message)).toMatch(/lost|no longer exists/);
  }
}

describe("the storage emulator killed in the middle of a job", () => {
  it("ends the job Completed with every row exactly once, or Failed naming what was lost; never hanging", async () => {
    const { jobUrl, data, restart } = await runningJob("fragile-job");
    await restart();
    const done = await waitForJob(jobUrl, 240_000);
    await expectWholeOrExplained(done, data, "fragile-job");
  }, 400_000);

  it("ends a job canceled just before the kill; it never stays CancelRequested", async () => {
    const { jobUrl, data, restart } = await runningJob("fragile-cancel");
    const canceled = await call(`${jobUrl}/cancel`, { method: "POST" });
    expect(canceled.status).toBe(202);
    await restart();
    const done = await waitForJob(jobUrl, 240_000);
    // The cancel request itself may be among the writes storage lost: then the job runs to its end.
    if (done.status !== "Canceled") await expectWholeOrExplained(done, data, "fragile-cancel");
  }, 400_000);
});
