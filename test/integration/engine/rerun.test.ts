import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpRequest, type HttpResponseInit, InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createJobHandlers } from "../../../src/api/jobs/job-handlers.js";
import type { JobsApiDeps } from "../../../src/api/jobs/jobs-api-deps.js";
import { createRerunHandler } from "../../../src/api/jobs/rerun.js";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { jobsApiDeps } from "../../../src/app/jobs-api.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "engine");
let world: EngineWorld;
let deps: JobsApiDeps;

const ITEMS = Array.from({ length: 9 }, (_, i) => `item-${i}.txt`);
const POISONED = ["item-2.txt", "item-7.txt"];

beforeAll(async () => {
  world = await engineWorld();
  const { engine } = world;
  await engine.registry.endpoints.create({ name: "reruns" });
  const dir = await mkdtemp(join(tmpdir(), "batchfn-rerun-"));
  await writeFile(
    join(dir, "deployment.yml"),
    stringify({
      name: "poison",
      endpoint_name: "reruns",
      model: { name: "poison-model", version: 1, path: join(fixtures, "model") },
      code_configuration: { code: join(fixtures, "poison"), scoring_script: "score.mjs" },
      settings: { mini_batch_size: 2, retry_settings: { max_retries: 0 } },
    }),
  );
  await registerDeploymentFile(join(dir, "deployment.yml"), {
    registry: engine.registry,
    workDir: engine.workDir,
  });
  await world.upload(
    "poisoned/",
    Object.fromEntries(ITEMS.map((name) => [name, POISONED.includes(name) ? "POISON" : `good ${name}`])),
  );
  await world.upload("clean/", { "a.txt": "a", "b.txt": "b" });
  deps = jobsApiDeps(engine, () => world.runner);
}, 120_000);

afterAll(async () => {
  await world?.close();
});

function rerun(job: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResponseInit> {
  return createRerunHandler(deps)(
    new HttpRequest({
      method: "POST",
      url: `http://127.0.0.1:7071/api/jobs/${job}/rerun`,
      params: { job },
      headers: { "content-type": "application/json", ...headers },
      body: { string: JSON.stringify(body) },
    }),
    new InvocationContext(),
  );
}

async function stored(): Promise<{ jobs: number; blobs: number }> {
  let blobs = 0;
  for await (const _ of world.engine.jobs.listBlobsFlat()) blobs += 1;
  return { jobs: (await deps.records.list()).length, blobs };
}

const errorOf = (response: HttpResponseInit) => (response.jsonBody as { error: { code: string } }).error.code;

/** The rows of a job's predictions, one per scored item. */
async function rows(job: string): Promise<string[]> {
  const text = await world.read(`batchfn-outputs/${job}/predictions.csv`);
  return text.split("\n").filter((line) => line !== "");
}

describe("re-running only what failed", () => {
  it("re-runs exactly the failed items once the poison is gone: the two outputs hold every item once, linked both ways", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "reruns",
      deployment: "poison",
      body: { input: "azureml://datastores/workspaceblobstore/paths/poisoned/" },
    });
    expect(result.status).toBe("Completed");
    const first = await rows(spec.name);
    // mini-batches of 2: item-2 fails with item-3, item-7 with item-6
    expect(first).toHaveLength(5);
    const failed = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { item: string }).item)
      .sort();
    expect(failed).toEqual(["item-2.txt", "item-3.txt", "item-6.txt", "item-7.txt"]);

    await world.upload("poisoned/", Object.fromEntries(POISONED.map((name) => [name, `good ${name}`])));
    const response = await rerun(spec.name, { failed_only: true, job_name: `${spec.name}-again` });
    expect(response.status).toBe(202);
    const again = `${spec.name}-again`;
    const second = await rows(again);
    expect(second.sort()).toEqual(failed.map((name) => `${name} good ${name}`));
    expect([...first, ...second].sort()).toEqual(ITEMS.map((name) => `${name} good ${name}`).sort());
    expect(await world.exists(`batchfn-outputs/${again}/errors.jsonl`)).toBe(true);
    expect((await world.read(`batchfn-outputs/${again}/errors.jsonl`)).trim()).toBe("");

    const show = (job: string) =>
      createJobHandlers(deps).show(
        new HttpRequest({ method: "GET", url: `http://127.0.0.1:7071/api/jobs/${job}`, params: { job } }),
        new InvocationContext(),
      );
    const newJob = (await show(again)).jsonBody as { status: string; rerun_of: string; progress: unknown };
    expect(newJob).toMatchObject({
      status: "Completed",
      rerun_of: spec.name,
      progress: { items: { total: 4, succeeded: 4, failed: 0 } },
    });
    expect(((await show(spec.name)).jsonBody as { reruns: string[] }).reruns).toEqual([again]);

    const before = await stored();
    const repeat = await rerun(spec.name, { failed_only: true, job_name: again });
    expect(repeat.status).toBe(200);
    expect((repeat.jsonBody as { name: string }).name).toBe(again);
    expect(await stored()).toEqual(before);
    expect((await world.engine.records.get(spec.name))?.reruns).toEqual([again]);
  });

  it("refuses a re-run of the failed items of a job without failures, and of a job still running, writing nothing", async () => {
    const { spec } = await world.runJob({
      endpoint: "reruns",
      deployment: "poison",
      body: { input: "azureml://datastores/workspaceblobstore/paths/clean/" },
    });
    const before = await stored();
    const none = await rerun(spec.name, { failed_only: true });
    expect([none.status, errorOf(none)]).toEqual([409, "NoFailedItems"]);
    await world.engine.records.update(spec.name, (record) => ({ ...record, status: "Running" }));
    const running = await rerun(spec.name, { failed_only: true });
    expect([running.status, errorOf(running)]).toEqual([409, "JobNotFinished"]);
    const ghost = await rerun("no-such-job", { failed_only: true });
    expect([ghost.status, errorOf(ghost)]).toEqual([404, "NotFound"]);
    expect(await stored()).toEqual(before);
  });
});
