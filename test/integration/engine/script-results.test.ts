import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";

/** Whole jobs of fixture scripts (test/fixtures/scripts) whose results test the output's rules. */

const scripts = fileURLToPath(new URL("../../fixtures/scripts/", import.meta.url));
const model = fileURLToPath(new URL("../../fixtures/engine/model/", import.meta.url));
let world: EngineWorld;

async function deployScript(name: string, folder: string, script: string, settings: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-fixture-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "results",
      model: { name: "results-model", version: 1, path: model },
      code_configuration: { code: join(scripts, folder), scoring_script: script },
      settings: { retry_settings: { max_retries: 0, timeout: 30 }, ...settings },
    }),
  );
  return registerDeploymentFile(file, { registry: world.engine.registry, workDir: world.engine.workDir });
}

const tenFiles = (text: string) =>
  Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${String(i).padStart(2, "0")}.txt`, text]));

beforeAll(async () => {
  world = await engineWorld();
  await world.engine.registry.endpoints.create({ name: "results" });
  await deployScript("result-count", "result-count", "score.mjs", { mini_batch_size: 10 });
  await world.upload("none/", tenFiles("0"));
  await world.upload("triple/", tenFiles("3"));
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function summaryOf(job: string) {
  return JSON.parse(await world.read(`batchfn-outputs/${job}/job_summary.json`));
}

describe("a job reconciles run() results with its inputs", () => {
  it("fails every item of a mini-batch whose run() returned no results for 10 inputs", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "results",
      deployment: "result-count",
      body: { input: "azureml://datastores/workspaceblobstore/paths/none/" },
    });
    // error_threshold -1 (the default) tolerates any number of failed items
    expect(result.status).toBe("Completed");
    expect(result.progress?.items).toEqual({ total: 10, succeeded: 0, failed: 10 });
    const summary = await summaryOf(spec.name);
    expect(summary.items).toMatchObject({ total: 10, succeeded: 0, failed: 10 });
    expect(summary.rows_written).toBe(0);
    const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toMatchObject({ item: "f00.txt", code: "ScriptError" });
    expect(errors[0].message).toContain("returned 0 results for 10 input items");
  });

  it("writes all 30 rows of a run() that returned 3 per input, and counts 10 items", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "results",
      deployment: "result-count",
      body: { input: "azureml://datastores/workspaceblobstore/paths/triple/" },
    });
    expect(result.status).toBe("Completed");
    expect(result.progress?.items).toEqual({ total: 10, succeeded: 10, failed: 0 });
    expect(result.progress?.rows).toBe(30);
    const summary = await summaryOf(spec.name);
    expect(summary.items).toMatchObject({ total: 10, succeeded: 10, failed: 0 });
    expect(summary.rows_written).toBe(30);
    const rows = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trimEnd().split("\n");
    expect(rows).toHaveLength(30);
  });
});
