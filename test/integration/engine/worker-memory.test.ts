import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";

/**
 * worker_memory_mb reaches the scoring workers from each place it can be set: the app setting
 * BATCHFN_WORKER_MEMORY_MB (here 128), the deployment's settings, and the invocation.
 */

const scripts = fileURLToPath(new URL("../../fixtures/scripts/", import.meta.url));
const model = fileURLToPath(new URL("../../fixtures/engine/model/", import.meta.url));
let world: EngineWorld;

async function deploy(name: string, settings: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-fixture-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "memory",
      model: { name: "memory-model", version: 1, path: model },
      code_configuration: { code: join(scripts, "memory-hog"), scoring_script: "score.mjs" },
      settings: { retry_settings: { max_retries: 0, timeout: 60 }, ...settings },
    }),
  );
  return registerDeploymentFile(file, { registry: world.engine.registry, workDir: world.engine.workDir });
}

beforeAll(async () => {
  world = await engineWorld({ BATCHFN_WORKER_MEMORY_MB: "128" });
  await world.engine.registry.endpoints.create({ name: "memory" });
  await deploy("app-default", {});
  await deploy("roomy", { worker_memory_mb: 512 });
  await world.upload("hog/", { "a.txt": "ok", "b.txt": "heap 256" });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function run(deployment: string, overrides: Record<string, unknown> = {}) {
  const { spec, result } = await world.runJob({
    endpoint: "memory",
    deployment,
    body: { input: "azureml://datastores/workspaceblobstore/paths/hog/", ...overrides },
  });
  const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
  return { result, errors };
}

describe("worker_memory_mb in a job", () => {
  it("limits workers to BATCHFN_WORKER_MEMORY_MB when the deployment sets nothing", async () => {
    const { result, errors } = await run("app-default");
    expect(result.progress?.items).toEqual({ total: 2, succeeded: 0, failed: 2 });
    expect(errors[0]).toMatchObject({ item: "a.txt", code: "WorkerOutOfMemory" });
    expect(errors[0].message).toContain("its 128 MB memory limit (worker_memory_mb)");
  });

  it("uses the deployment's worker_memory_mb, and the invocation's over it", async () => {
    expect((await run("roomy")).result.progress?.items).toEqual({ total: 2, succeeded: 2, failed: 0 });
    const { errors } = await run("roomy", { worker_memory_mb: 160 });
    expect(errors[0]?.message).toContain("its 160 MB memory limit (worker_memory_mb)");
  });
});
