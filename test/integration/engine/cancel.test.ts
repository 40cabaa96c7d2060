import { existsSync } from "node:fs";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "engine");
let world: EngineWorld;
let markers: string;

beforeAll(async () => {
  // the poll never fires here: what stops the retry is the read made before it
  world = await engineWorld({}, { cancelPollMs: 600_000 });
  markers = await mkdtemp(join(tmpdir(), "batchfn-markers-"));
  await world.engine.registry.endpoints.create({ name: "cancels" });
  const dir = await mkdtemp(join(tmpdir(), "batchfn-fixture-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name: "cancel",
      endpoint_name: "cancels",
      model: { name: "fixture-model", version: 1, path: join(fixtures, "model") },
      code_configuration: { code: join(fixtures, "cancel"), scoring_script: "score.mjs" },
      environment_variables: { MARKER_DIR: markers },
      settings: { mini_batch_size: 1, retry_settings: { max_retries: 3, timeout: 30 } },
    }),
  );
  await registerDeploymentFile(file, { registry: world.engine.registry, workDir: world.engine.workDir });
  await world.upload("fails/", { "f.txt": "fail" });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("a cancel reaching a mini-batch between its attempts", () => {
  it("starts no retry after the cancel, writes nothing of the mini-batch, and ends Canceled", async () => {
    const name = `retry-${Date.now()}`;
    const run = world.runJob({
      endpoint: "cancels",
      deployment: "cancel",
      name,
      body: { input: "azureml://datastores/workspaceblobstore/paths/fails/" },
    });
    const starts = async () => (await readdir(markers)).filter((f) => f.endsWith(".start"));
    await waitFor(async () => (await starts()).length === 1);
    await world.engine.store.requestCancel(name, {
      requested_at: "2026-12-03T10:00:00.000Z",
      requested_by: "the admin key",
    });
    await writeFile(join(markers, "go"), "");
    const { spec, result } = await run;
    expect(await starts()).toHaveLength(1);
    expect(result.status).toBe("Canceled");
    expect(result.message).toBe(
      "Canceled by the admin key at 2026-12-03T10:00:00.000Z: 0 of 1 mini-batches had finished and are kept (0 rows); 1 was stopped or never started, and nothing of them is written.",
    );
    const record = await world.engine.records.get(name);
    expect(record).toMatchObject({ status: "Canceled", message: result.message });
    expect(record?.progress?.miniBatches).toEqual({ total: 1, succeeded: 0, failed: 0, running: 0 });
    expect(await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).toBe("");
    expect(await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`)).toBe("");
    const summary = JSON.parse(await world.read(`batchfn-outputs/${spec.name}/job_summary.json`));
    expect(summary).toMatchObject({
      status: "Canceled",
      failure: { code: "JobCanceled", message: result.message },
      mini_batches: { total: 1, succeeded: 0, failed: 0, not_run: 1 },
    });
    const { records } = await world.engine.jobLog.readJobLog(name);
    expect(records.map((r) => r.message)).toContainEqual(
      expect.stringMatching(
        /^ScriptError: .*cannot score f\.txt.* — mini-batch 0 is not retried: the job was canceled$/,
      ),
    );
    expect(existsSync(join(markers, "f.txt.ticks"))).toBe(false);
  });
});
