import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call, TEST_ADMIN_KEY, waitForJob } from "../../support/app-client.js";
import { type AppProcess, appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";

const WEBHOOK = "/runtime/webhooks/durabletask";
const ITEMS = 12;

let app: AppProcess;

beforeAll(async () => {
  const settings = await appSettings();
  const config = loadConfig(settings);
  const clients = createStorageClients(config.storage);
  const registry = createRegistry({ clients, config });
  await registry.endpoints.create({ name: "managed" });
  const dir = await mkdtemp(join(tmpdir(), "batchfn-managed-"));
  await writeFile(
    join(dir, "deployment.yml"),
    stringify({
      name: "slow",
      endpoint_name: "managed",
      model: { name: "fixture-model", version: 1, path: join(repoRoot, "test/fixtures/engine/model") },
      code_configuration: { code: join(repoRoot, "test/fixtures/engine/slow"), scoring_script: "score.mjs" },
      environment_variables: { SLOW_MS: "400" },
      settings: { mini_batch_size: 1, max_concurrency_per_instance: 1 },
    }),
  );
  await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
  const data = clients.blob.getContainerClient(config.containers.data);
  await Promise.all(
    Array.from({ length: ITEMS }, (_, i) => data.getBlockBlobClient(`slow/item-${i}.txt`).upload("x", 1)),
  );
  app = await startAppProcess(settings);
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

async function invoke(jobName: string): Promise<string> {
  const invoked = await call(`${app.url}/api/batch-endpoints/managed/jobs`, {
    body: { input: "azureml://datastores/workspaceblobstore/paths/slow/", job_name: jobName },
  });
  expect(invoked.status).toBe(202);
  return invoked.headers.get("location") ?? "";
}

async function untilRunning(location: string): Promise<void> {
  for (;;) {
    const { body } = await call<{ progress?: { mini_batches: { succeeded: number } } }>(location);
    if ((body.progress?.mini_batches.succeeded ?? 0) >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the local host's Durable management API", () => {
  it("refuses every operation without the host's key, and with a wrong one", async () => {
    const location = await invoke("mgmt-refused");
    const operations: Array<[string, string]> = [
      ["POST", `${WEBHOOK}/orchestrators/scoringJob/intruder`],
      ["GET", `${WEBHOOK}/instances`],
      ["GET", `${WEBHOOK}/instances/mgmt-refused`],
      ["POST", `${WEBHOOK}/instances/mgmt-refused/terminate?reason=mine`],
      ["POST", `${WEBHOOK}/instances/mgmt-refused/suspend`],
      ["POST", `${WEBHOOK}/instances/mgmt-refused/raiseEvent/x`],
      ["DELETE", `${WEBHOOK}/instances/mgmt-refused`],
      ["DELETE", `${WEBHOOK}/instances?createdTimeFrom=2000-01-01T00:00:00Z`],
    ];
    for (const [method, path] of operations) {
      const none = await fetch(`${app.url}${path}`, { method, body: method === "GET" ? undefined : "{}" });
      expect({ method, path, status: none.status }).toEqual({ method, path, status: 401 });
      const wrong = await fetch(`${app.url}${path}`, {
        method,
        headers: { "x-functions-key": "not-the-key" },
        body: method === "GET" ? undefined : "{}",
      });
      expect({ method, path, status: wrong.status }).toEqual({ method, path, status: 401 });
    }
    // The rpc base path DurableClient uses is not served at a guessable place.
    for (const path of ["/durabletask/instances/", "/durabletask/orchestrators/scoringJob/intruder"]) {
      const rpc = await fetch(`${app.url}${path}`, {
        method: path.includes("orchestrators") ? "POST" : "GET",
      });
      expect({ path, status: rpc.status }).toEqual({ path, status: 404 });
    }
    // Nothing of the above reached the job: it still completes, with the app's own durable client.
    const done = await waitForJob(location, 120_000);
    expect(done).toMatchObject({ status: "Completed", progress: { items: { succeeded: ITEMS } } });
  }, 180_000);

  it("serves the host's master key (the admin key), by header or by code", async () => {
    const byHeader = await fetch(`${app.url}${WEBHOOK}/instances?top=5`, {
      headers: { "x-functions-key": TEST_ADMIN_KEY },
    });
    expect(byHeader.status).toBe(200);
    expect(Array.isArray(await byHeader.json())).toBe(true);
    const byCode = await fetch(`${app.url}${WEBHOOK}/instances?top=5&code=${TEST_ADMIN_KEY}`);
    expect(byCode.status).toBe(200);
  });

  it("a job whose orchestration is terminated ends Failed, naming the termination, not Running forever", async () => {
    const location = await invoke("mgmt-terminated");
    await untilRunning(location);
    const terminated = await fetch(
      `${app.url}${WEBHOOK}/instances/mgmt-terminated/terminate?reason=${encodeURIComponent("stopped by an operator")}`,
      { method: "POST", headers: { "x-functions-key": TEST_ADMIN_KEY } },
    );
    expect(terminated.status).toBe(202);
    const done = await waitForJob(location, 60_000);
    expect(done.status).toBe("Failed");
    expect(String(done.message)).toContain("terminated");
    expect(String(done.message)).toContain("stopped by an operator");
    // The record itself followed (lists read records only).
    const listed = await call<{ value: Array<{ name: string; status: string }> }>(
      `${app.url}/api/jobs?endpoint=managed`,
    );
    expect(listed.body.value.find((job) => job.name === "mgmt-terminated")?.status).toBe("Failed");
  }, 120_000);
});
