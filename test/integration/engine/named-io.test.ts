import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { testPython } from "../../support/python.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures");
let world: EngineWorld;

/** Registers a deployment of the `named` endpoint whose code is test/fixtures/<folder>, declaring its inputs and outputs. */
async function deploy(name: string, folder: string, script: string) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-named-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "named",
      model: { name: "named-model", version: 1, path: join(fixtures, "engine", "model") },
      code_configuration: { code: join(fixtures, folder), scoring_script: script },
      inputs: {
        items: { type: "uri_folder" },
        zones: { type: "uri_file" },
        threshold: { type: "number", default: 0.5 },
      },
      outputs: { reports: { type: "uri_folder" } },
      settings: { default_input: "items", mini_batch_size: 2, max_concurrency_per_instance: 2 },
    }),
  );
  await registerDeploymentFile(file, {
    registry: world.engine.registry,
    workDir: world.engine.workDir,
    pythonInterpreter: world.config.python.interpreter,
  });
}

const ITEMS = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"];

beforeAll(async () => {
  world = await engineWorld({ BATCHFN_PYTHON: testPython() });
  await world.engine.registry.endpoints.create({ name: "named" });
  await world.upload("named/items/", Object.fromEntries(ITEMS.map((name) => [name, `item ${name}`])));
  await world.upload("named/", { "zones.csv": "north,south\n" });
  await deploy("named-js", "engine/named-io", "score.mjs");
  await deploy("named-py", "python/named-io", "score.py");
}, 120_000);

afterAll(async () => {
  await world?.close();
});

const body = (threshold: unknown) => ({
  inputs: {
    items: { type: "uri_folder", path: "azureml://datastores/workspaceblobstore/paths/named/items/" },
    zones: { type: "uri_file", path: "azureml://datastores/workspaceblobstore/paths/named/zones.csv" },
    ...(threshold === undefined ? {} : { threshold: { type: "number", default: threshold } }),
  },
  output_format: "csv",
});

async function reports(job: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const name of ITEMS) {
    const path = `batchfn-named-outputs/${job}/reports/${name}.report`;
    if (await world.exists(path)) found[name] = await world.read(path);
  }
  return found;
}

describe("named inputs and outputs reach the scoring script", () => {
  it("gives a JS script its data inputs as local paths, literals as typed values, and uploads its named output", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "named",
      deployment: "named-js",
      body: body("0.75"),
    });
    expect(result.status).toBe("Completed");
    expect(spec.input_name).toBe("items");
    const rows = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trim().split("\n");
    expect(rows[0]).toBe("file,zones,threshold,threshold_type,env");
    expect(rows.slice(1)).toEqual(ITEMS.map((name) => `${name},"north,south",0.75,number,0.75`));
    expect(await reports(spec.name)).toEqual(Object.fromEntries(ITEMS.map((n) => [n, `report of ${n}\n`])));
    const record = await world.engine.records.get(spec.name);
    expect(record?.named_outputs).toEqual({
      reports: `azureml://datastores/workspaceblobstore/paths/batchfn-named-outputs/${spec.name}/reports/`,
    });
  });

  it("gives a Python script the same through batchfn_job and AZURE_ML_INPUT_<name>, with the declared default", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "named",
      deployment: "named-py",
      body: body(undefined),
    });
    expect(result.status).toBe("Completed");
    const rows = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trim().split("\n");
    // a list's items are string rows: one CSV field each, no header
    expect(rows).toEqual(ITEMS.map((name) => `"${name} north,south 0.5 float 0.5"`));
    expect(Object.keys(await reports(spec.name))).toEqual(ITEMS);
  });

  it("fails the job at planning, naming the input, when a named data input does not exist", async () => {
    const missing = body("1");
    missing.inputs.zones.path = "azureml://datastores/workspaceblobstore/paths/named/nowhere.csv";
    const { spec, result } = await world.runJob({ endpoint: "named", deployment: "named-js", body: missing });
    expect(result.status).toBe("Failed");
    const record = await world.engine.records.get(spec.name);
    expect(record?.message).toContain("Input 'zones'");
    expect(record?.progress?.items.succeeded ?? 0).toBe(0);
  });
});
