import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalHost, type LocalHost } from "../../../../src/local-host/local-host.js";
import { adminHeaders, TEST_ADMIN_KEY } from "../../../support/app-client.js";
import { testConfig, uniqueName } from "../../../support/storage.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let host: LocalHost;
let workDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "batchfn-api-host-"));
  const id = uniqueName("h");
  Object.assign(process.env, {
    AzureWebJobsStorage: inject("azuriteConnectionString"),
    BATCHFN_TABLE_PREFIX: id,
    BATCHFN_DATA_CONTAINER: `${id}-data`,
    BATCHFN_ARTIFACTS_CONTAINER: `${id}-artifacts`,
    BATCHFN_INBOX_CONTAINER: `${id}-inbox`,
    BATCHFN_OUTBOX_CONTAINER: `${id}-outbox`,
    BATCHFN_JOBS_CONTAINER: `${id}-jobs`,
    BATCHFN_WORK_DIR: workDir,
    BATCHFN_ADMIN_KEY: TEST_ADMIN_KEY,
  });
  host = createLocalHost({
    appDir: repoRoot,
    entry: "functions/registry-api.ts",
    port: 0,
    storage: testConfig(),
    log: () => undefined,
  });
  await host.start();
}, 60_000);

afterAll(async () => {
  await host?.stop();
  process.env = saved;
  await rm(workDir, { recursive: true, force: true });
});

const script = "export async function run(batch) { return batch; }\n";

describe("the registry API registered in functions/registry-api.ts, served by the local host", () => {
  it("serves every registry route under /api", async () => {
    expect(host.functions.map((fn) => fn.name)).toContain("putBatchDeployment");
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${host.url}/api/${path}`, {
        method,
        headers: body === undefined ? adminHeaders : { ...adminHeaders, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const artifact = await call("POST", "artifacts", {
      files: [{ path: "score.mjs", content_base64: Buffer.from(script).toString("base64") }],
    });
    expect(artifact.status).toBe(201);
    const { uri } = (await artifact.json()) as { uri: string };
    expect((await call("PUT", "models/host-model/versions/1", { path: uri })).status).toBe(201);
    expect((await call("PUT", "batch-endpoints/host-ep", { description: "served" })).status).toBe(201);
    const deployment = await call("PUT", "batch-endpoints/host-ep/deployments/blue", {
      model: "azureml:host-model:1",
      code_configuration: { code: uri, scoring_script: "score.mjs" },
    });
    expect(deployment.status).toBe(201);

    const shown = await call("GET", "batch-endpoints/host-ep");
    expect(shown.status).toBe(200);
    expect(shown.headers.get("etag")).toMatch(/.+/);
    expect(await shown.json()).toMatchObject({
      scoring_uri: `${host.url}/api/batch-endpoints/host-ep/jobs`,
      defaults: { deployment_name: "blue" },
    });
    expect((await call("GET", "batch-endpoints/host-ep/deployments")).status).toBe(200);
    expect((await call("GET", "models")).status).toBe(200);
    expect((await call("GET", "datastores/workspaceblobstore")).status).toBe(200);

    const missing = await call("GET", "batch-endpoints/host-ep/deployments/ghost");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NotFound" } });
    const started = await call("POST", "artifact-uploads", { files: [{ path: "a.txt" }] });
    const { upload_id } = (await started.json()) as { upload_id: string };
    const commit = await call("POST", `artifact-uploads/${upload_id}/commit`, {
      files: [{ path: "a.txt", sha256: "0".repeat(64) }],
    });
    expect(commit.status).toBe(400);
    expect(await commit.json()).toMatchObject({ error: { code: "UploadMismatch" } });
    expect((await call("DELETE", "batch-endpoints/host-ep")).status).toBe(204);
  });
});
