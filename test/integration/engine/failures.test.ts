import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { createJobLog } from "../../../src/io/log/job-log.js";
import { partBlobs } from "../../../src/io/output/range-record.js";
import { MINI_BATCHES_PER_WORKER } from "../../../src/jobs/submit-job.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { refusal } from "../../support/refusal.js";
import { examplePath } from "../examples/example-files.js";
import { expectedTaxiRows, readTaxiRows } from "../examples/taxi-model.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "engine");
let world: EngineWorld;

/** Registers a custom-script deployment of the fixtures endpoint from test/fixtures/engine/<folder>. */
async function deployScript(
  name: string,
  folder: string,
  script: string,
  settings: Record<string, unknown>,
  env = {},
) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-fixture-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "fixtures",
      model: { name: "fixture-model", version: 1, path: join(fixtures, "model") },
      code_configuration: { code: join(fixtures, folder), scoring_script: script },
      environment_variables: env,
      settings,
    }),
  );
  return registerDeploymentFile(file, { registry: world.engine.registry, workDir: world.engine.workDir });
}

const files = (n: number, prefix = "f") =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(2, "0")}.txt`, `item ${i}`]),
  );

beforeAll(async () => {
  world = await engineWorld();
  const options = { registry: world.engine.registry, workDir: world.engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
  await world.engine.registry.endpoints.create({ name: "fixtures" });
  await world.uploadFolder("taxi/", examplePath("taxi-tip", "data"));
  await world.upload("six/", files(6));
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe("retries, timeouts and the error threshold", () => {
  it("writes exactly one row per item when every mini-batch fails once and is retried", async () => {
    const markers = await mkdtemp(join(tmpdir(), "batchfn-markers-"));
    await deployScript(
      "flaky",
      "flaky",
      "score.mjs",
      { mini_batch_size: 2, max_concurrency_per_instance: 2 },
      { MARKER_DIR: markers },
    );
    const { spec, result } = await world.runJob({
      endpoint: "fixtures",
      deployment: "flaky",
      body: { input: "azureml://datastores/workspaceblobstore/paths/six/" },
    });
    expect(result.status).toBe("Completed");
    const rows = await world.read(`batchfn-outputs/${spec.name}/predictions.csv`);
    expect(rows).toBe(
      Object.keys(files(6))
        .map((f) => `${f}: ok\n`)
        .join(""),
    );
    expect(await readdir(markers)).toHaveLength(3);
    const jobs = world.clients.blob.getContainerClient(world.config.containers.jobs);
    const { records } = await createJobLog({ jobs }).readJobLog(spec.name);
    const retried = records.filter((r) => r.source === "engine" && r.message.includes("will be retried"));
    expect(retried.map((r) => [r.level, r.miniBatch, r.attempt])).toEqual([
      ["warning", 0, 1],
      ["warning", 1, 1],
      ["warning", 2, 1],
    ]);
    expect(records.at(-1)?.message).toMatch(
      /^Job Completed\. 6 items succeeded, 0 failed; output in azureml:/,
    );
    const summary = JSON.parse(await world.read(`batchfn-outputs/${spec.name}/job_summary.json`));
    expect(summary).toMatchObject({
      items: { succeeded: 6, failed: 0 },
      mini_batches: { succeeded: 3, failed: 0 },
    });
  });

  it("never reports Completed when the record of a range's parts was lost before finalize, and names its mini-batches", async () => {
    await deployScript("lossy", "fail-bad", "score.ts", { mini_batch_size: 2 });
    const name = `lossy-${Date.now()}`;
    const run = world.runJob({
      endpoint: "fixtures",
      deployment: "lossy",
      name,
      body: { input: "azureml://datastores/workspaceblobstore/paths/six/" },
      beforeFinalize: async (job) => {
        // three mini-batches: one inline range, one record
        await world.engine.jobs.deleteBlob(partBlobs.range(job, 0, 3));
      },
    });
    await expect(run).rejects.toThrow(/finalizeJob.*no committed part/);
    const record = await world.engine.records.get(name);
    expect(record?.status).toBe("Failed");
    expect(record?.message).toMatch(/mini-batches 0, 1, 2 of 3 have no committed part/);
    expect(record?.message).toMatch(/6 items/);
    const summary = JSON.parse(await world.read(`batchfn-outputs/${name}/job_summary.json`));
    expect(summary).toMatchObject({
      status: "Failed",
      failure: { code: "PartsLost" },
      mini_batches: { total: 3, succeeded: 0, not_run: 3 },
    });
    expect(await world.read(`batchfn-outputs/${name}/predictions.csv`)).toBe("");
  });

  it("kills a run() that outlives retry_settings.timeout and retries the mini-batch", async () => {
    const markers = await mkdtemp(join(tmpdir(), "batchfn-markers-"));
    await deployScript(
      "hang-once",
      "hang-once",
      "score.mjs",
      { mini_batch_size: 3, retry_settings: { max_retries: 1, timeout: 1 } },
      { MARKER_DIR: markers },
    );
    const { spec, result } = await world.runJob({
      endpoint: "fixtures",
      deployment: "hang-once",
      body: { input: "azureml://datastores/workspaceblobstore/paths/six/" },
    });
    expect(result.status).toBe("Completed");
    const rows = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trimEnd().split("\n");
    expect(rows).toEqual(Object.keys(files(6)).map((f) => `${f} 42`));
    expect(await readdir(markers)).toHaveLength(2);
  });

  it("stops starting mini-batches once error_threshold is exceeded, and lists each failed item", async () => {
    await world.upload("mixed/", { "bad-1.txt": "x", "bad-2.txt": "y", ...files(8, "z") });
    await deployScript("fail-bad", "fail-bad", "score.ts", {
      mini_batch_size: 1,
      error_threshold: 1,
      retry_settings: { max_retries: 0, timeout: 30 },
    });
    const { spec, result } = await world.runJob({
      endpoint: "fixtures",
      deployment: "fail-bad",
      body: { input: "azureml://datastores/workspaceblobstore/paths/mixed/", mini_batch_size: 1 },
    });
    expect(result.status).toBe("Failed");
    expect(result.message).toContain("error_threshold 1 exceeded: 2 failed items");
    const summary = JSON.parse(await world.read(`batchfn-outputs/${spec.name}/job_summary.json`));
    // one worker: the first wave holds MINI_BATCHES_PER_WORKER mini-batches (both bad files among
    // them); none is started after it
    expect(summary.mini_batches.not_run).toBe(10 - MINI_BATCHES_PER_WORKER);
    const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors.map((e) => [e.item, e.code])).toEqual([
      ["bad-1.txt", "ScriptError"],
      ["bad-2.txt", "ScriptError"],
    ]);
    expect(errors[0].message).toContain("cannot score bad-1.txt");
  });

  it("covers every row of every file exactly once with mini_batch_rows", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/taxi/",
        mini_batch_rows: 70,
        mini_batch_size: 3,
      },
    });
    expect(result.status).toBe("Completed");
    const expected = await expectedTaxiRows();
    const rows = expected.length;
    expect(readTaxiRows(await world.read(`batchfn-outputs/${spec.name}/predictions.csv`))).toEqual(expected);
    const summary = JSON.parse(await world.read(`batchfn-outputs/${spec.name}/job_summary.json`));
    expect(summary.items).toMatchObject({ total: rows, succeeded: rows, rows });
    expect(summary.mini_batches.total).toBeGreaterThan(rows / 70);
  });
});

describe("bad inputs get clear errors and write nothing", () => {
  it("refuses another job's output folder even with overwrite, and a file no job owns unless overwrite", async () => {
    const body = {
      input: "azureml://datastores/workspaceblobstore/paths/taxi/",
      output_path: "azureml://datastores/workspaceblobstore/paths/kept/",
    };
    const run = (extra: object) =>
      world.runJob({ endpoint: "taxi-tip", deployment: "taxi-tip-onnx", body: { ...body, ...extra } });
    const first = await run({});
    expect(first.result.status).toBe("Completed");
    const before = await world.read("kept/predictions.csv");
    await expect(run({})).rejects.toMatchObject({ code: "OutputInUse", status: 409 });
    await expect(run({ overwrite: true })).rejects.toMatchObject({ code: "OutputInUse", status: 409 });
    expect(await world.read("kept/predictions.csv")).toBe(before);

    await world.upload("handmade/", { "predictions.csv": "by hand\n" });
    const handmade = { output_path: "azureml://datastores/workspaceblobstore/paths/handmade/" };
    await expect(run(handmade)).rejects.toMatchObject({
      code: "OutputExists",
      message: expect.stringContaining("handmade/predictions.csv"),
    });
    expect(await world.read("handmade/predictions.csv")).toBe("by hand\n");
    const replaced = await run({ ...handmade, overwrite: true });
    expect(replaced.result.status).toBe("Completed");
    expect(await world.read("handmade/predictions.csv")).toBe(before);
  });

  it("fails a missing input, an empty folder and an unknown datastore before any work, naming them", async () => {
    const missing = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: "azureml://datastores/workspaceblobstore/paths/nothing-here/" },
    });
    expect(missing.result.status).toBe("Failed");
    expect(missing.result.message).toContain("nothing-here");
    expect(await world.exists(`batchfn-outputs/${missing.spec.name}/predictions.csv`)).toBe(false);

    await world.upload("empty/", { "folder-marker/": "" });
    const empty = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: "azureml://datastores/workspaceblobstore/paths/empty/" },
    });
    expect(empty.result.status).toBe("Failed");
    expect(empty.result.message).toMatch(/empty/i);
    expect(empty.result.message).toContain("paths/empty");

    const unknownStore = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: "azureml://datastores/nostore/paths/taxi/" },
    });
    expect(unknownStore.result.status).toBe("Failed");
    expect(unknownStore.result.message).toContain("nostore");
  });

  it("fails, before any work, a stored job whose settings are above this host's bounds", async () => {
    const limits = world.engine.registry.limits;
    const wide = limits.max_concurrency_per_instance + 1;
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/taxi/",
        max_concurrency_per_instance: wide,
        retry_settings: { timeout: 2_147_484 },
      },
    });
    expect(result.status).toBe("Failed");
    expect(result.message).toContain(
      `settings.max_concurrency_per_instance is ${wide}; at most ${limits.max_concurrency_per_instance}`,
    );
    expect(result.message).toContain(`settings.retry_settings.timeout is 2147484; at most ${limits.timeout}`);
    expect(await world.exists(`batchfn-outputs/${spec.name}/predictions.csv`)).toBe(false);
  });

  it("fails an unreadable CSV row and a mistyped column for their file only, naming row and column", async () => {
    const good = "fareAmount,paymentType,passengerCount,tripDistance,tripTimeSecs\n10.5,1,1,2.1,600\n";
    await world.upload("broken/", {
      "a-good.csv": good,
      "b-ragged.csv": `${good}7.0,2,1\n`,
      "c-typed.csv": "fareAmount,paymentType,passengerCount,tripDistance,tripTimeSecs\nabc,1,1,2.1,600\n",
    });
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: "azureml://datastores/workspaceblobstore/paths/broken/", mini_batch_size: 3 },
    });
    expect(result.status).toBe("Completed");
    const rows = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trimEnd().split("\n");
    expect(rows.map((r) => r.split(" ")[2])).toEqual(["a-good.csv"]);
    const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors.map((e) => e.item)).toEqual(["b-ragged.csv", "c-typed.csv"]);
    expect(errors[0].message).toMatch(/row 2/);
    expect(errors[1].message).toContain("fareAmount");
  });

  it("refuses a script without run and an MLflow model with neither an ONNX nor a Python flavor at creation, storing nothing", async () => {
    const noRun = await refusal(deployScript("no-run", "no-run", "score.mjs", {}));
    expect(noRun.code).toBe("InvalidScoringScript");
    expect(noRun.message).toContain("run");

    const dir = await mkdtemp(join(tmpdir(), "batchfn-h2o-"));
    await writeFile(
      join(dir, "deployment.yml"),
      stringify({
        name: "h2o",
        endpoint_name: "fixtures",
        model: {
          name: "h2o-model",
          version: 1,
          type: "mlflow_model",
          path: join(fixtures, "..", "models", "mlflow-h2o"),
        },
      }),
    );
    const h2o = await refusal(
      registerDeploymentFile(join(dir, "deployment.yml"), {
        registry: world.engine.registry,
        workDir: world.engine.workDir,
      }),
    );
    expect(h2o.code).toBe("UnsupportedModelFlavor");
    expect(h2o.message).toContain("the flavor h2o but no 'onnx' flavor");
    expect(h2o.message).toContain("skl2onnx");
    const names = (await world.engine.registry.deployments.list("fixtures")).map((d) => d.resource.name);
    expect(names).not.toContain("no-run");
    expect(names).not.toContain("h2o");
  });

  it("reports an init() that throws with its own message for every item, and writes no prediction", async () => {
    await deployScript("init-throws", "init-throws", "score.mjs", {
      mini_batch_size: 3,
      retry_settings: { max_retries: 1, timeout: 30 },
    });
    const { spec, result } = await world.runJob({
      endpoint: "fixtures",
      deployment: "init-throws",
      body: { input: "azureml://datastores/workspaceblobstore/paths/six/" },
    });
    expect(result.status).toBe("Completed");
    expect(await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).toBe("");
    const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(errors).toHaveLength(6);
    expect(errors.every((e) => e.code === "ScriptInitFailed" && e.message.includes("weights.bin"))).toBe(
      true,
    );
  });
});
