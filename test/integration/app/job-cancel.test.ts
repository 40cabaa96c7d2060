import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { adminHeaders, call } from "../../support/app-client.js";
import { type AppProcess, appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";

/**
 * Issue 19, item 1, on the real app and local host: a slow script, 20 mini-batches, 2 workers;
 * a cancel after the first mini-batch finished ends the job Canceled within 2 s, no attempt starts
 * after it, the running ones are stopped (their worker threads end), and the finished mini-batch's
 * rows are in the output once.
 */

let app: AppProcess;
let data: ContainerClient;
let markers: string;
const MINI_BATCHES = 20;

beforeAll(async () => {
  // every output staged by its mini-batch (none kept for its range's recordParts), so the first
  // finished mini-batch shows in storage
  app = await startAppProcess({ ...(await appSettings()), BATCHFN_INLINE_OUTPUT_BYTES: "0" });
  const config = loadConfig(app.env);
  const clients = createStorageClients(config.storage);
  const registry = createRegistry({ clients, config });
  data = clients.blob.getContainerClient(config.containers.data);
  markers = await mkdtemp(join(tmpdir(), "batchfn-markers-"));
  const dir = await mkdtemp(join(tmpdir(), "batchfn-slow-"));
  await registry.endpoints.create({ name: "slow" });
  await writeFile(
    join(dir, "deployment.yml"),
    stringify({
      name: "slow",
      endpoint_name: "slow",
      model: { name: "fixture-model", version: 1, path: join(repoRoot, "test/fixtures/engine/model") },
      code_configuration: {
        code: join(repoRoot, "test/fixtures/engine/cancel"),
        scoring_script: "score.mjs",
      },
      environment_variables: { MARKER_DIR: markers, FIRST_MS: "300" },
      resources: { instance_count: 1 },
      settings: { mini_batch_size: 1, max_concurrency_per_instance: 2 },
    }),
  );
  await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
  for (let i = 0; i < MINI_BATCHES; i += 1) {
    // the first attempt to start is quick (FIRST_MS); the others run long enough to be running,
    // or waiting, at the cancel
    const order = "20000";
    await data.getBlockBlobClient(`slow/f${String(i).padStart(2, "0")}.txt`).upload(order, order.length);
  }
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether the job staged output yet, i.e. a mini-batch finished: its output blob exists with
 * uncommitted blocks (the parts are recorded only once the range ends; this app stages every output).
 */
async function staged(job: string): Promise<boolean> {
  const prefix = `batchfn-outputs/${job}/`;
  for await (const _ of data.listBlobsFlat({ prefix, includeUncommitedBlobs: true })) return true;
  return false;
}

/** When each attempt started (ms), from the markers the script writes first. */
async function starts(): Promise<Array<{ file: string; at: number }>> {
  const names = (await readdir(markers)).filter((name) => name.endsWith(".start"));
  return Promise.all(
    names.map(async (name) => ({
      file: name.split(".")[0] ?? name,
      at: Number(await readFile(join(markers, name), "utf8")),
    })),
  );
}

async function tickBytes(): Promise<Record<string, number>> {
  const names = (await readdir(markers)).filter((name) => name.endsWith(".ticks"));
  const sizes = await Promise.all(names.map(async (name) => [name, (await stat(join(markers, name))).size]));
  return Object.fromEntries(sizes);
}

describe("job cancel on the app", () => {
  it("stops a job at once: Canceled within 2 s, no attempt after the cancel, finished rows kept once", async () => {
    const invoked = await call(`${app.url}/api/batch-endpoints/slow/jobs`, {
      headers: { "azureml-model-deployment": "slow" },
      body: { input: "azureml://datastores/workspaceblobstore/paths/slow/" },
    });
    expect(invoked.status).toBe(202);
    const job = String(invoked.body.name);
    const location = invoked.headers.get("location") ?? "";
    while (!(await staged(job))) await sleep(20);

    const canceledAt = Date.now();
    const canceled = await call(`${location}/cancel`, { method: "POST" });
    expect(canceled.status).toBe(202);
    expect(canceled.body.status).toBe("CancelRequested");
    let shown: Record<string, unknown>;
    for (;;) {
      shown = (await call(location)).body;
      if (shown.status === "Canceled") break;
      await sleep(25);
    }
    // when the job ended Canceled (its record says), not when this loop noticed
    const endedAfter = Date.parse(String(shown.finished_at)) - canceledAt;
    console.log(`job cancel → Canceled in ${endedAfter} ms (seen here after ${Date.now() - canceledAt} ms)`);
    expect(endedAfter).toBeLessThan(2000);

    // no attempt started after the cancel; the running ones are stopped: their threads tick no more
    const started = await starts();
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.length).toBeLessThan(MINI_BATCHES);
    for (const attempt of started) expect(attempt.at).toBeLessThanOrEqual(canceledAt);
    const ticks = await tickBytes();
    await sleep(300);
    expect(await tickBytes()).toEqual(ticks);

    expect(shown).toMatchObject({
      status: "Canceled",
      progress: {
        mini_batches: { total: MINI_BATCHES, succeeded: 1, failed: 0, running: 0 },
        items: { total: MINI_BATCHES, succeeded: 1, failed: 0 },
        rows: 1,
      },
    });
    expect(shown.message).toMatch(
      /^Canceled by the admin key at \d{4}-\d\d-\d\dT[\d:.]+Z: 1 of 20 mini-batches had finished and are kept \(1 row\); 19 were stopped or never started, and nothing of them is written\.$/,
    );

    const outputs = await call<{ value: Array<{ name: string; download_url: string }> }>(
      `${location}/outputs`,
    );
    const predictions = outputs.body.value.find((file) => file.name === "predictions.csv");
    const text = await (await fetch(predictions?.download_url ?? "", { headers: adminHeaders })).text();
    const first = await readFile(join(markers, "first"), "utf8");
    expect(text).toBe(`${first}: done\n`);

    const log = async () =>
      (await (await fetch(`${location}/logs`, { headers: adminHeaders })).text()).trim();
    const lines = (await log())
      .split("\n")
      .map((line) => JSON.parse(line) as { level: string; message: string });
    expect(lines.map((line) => line.message)).toContainEqual(
      expect.stringMatching(
        /^Cancel requested by the admin key at \S+: no further mini-batch attempt starts/,
      ),
    );
    expect(lines.map((line) => line.message)).toContainEqual(
      expect.stringMatching(
        /was stopped because the job was canceled; its worker was ended and its rows dropped$/,
      ),
    );
    expect(lines.at(-1)?.message).toMatch(/^Job Canceled: Canceled by the admin key at /);

    // a cancel of the ended job answers its end and changes nothing
    const logBefore = await log();
    const again = await call(`${location}/cancel`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      status: "Canceled",
      message: shown.message,
      progress: shown.progress,
    });
    expect(await log()).toBe(logBefore);
    expect((await call(location)).body).toMatchObject({ status: "Canceled", message: shown.message });
  }, 90_000);
});
