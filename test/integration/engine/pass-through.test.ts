import { readdir, readFile } from "node:fs/promises";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { examplePath, readJson, readNumericCsv } from "../examples/example-files.js";
import { predictInTypeScript, weightsSchema } from "../examples/taxi-model.js";

let world: EngineWorld;

beforeAll(async () => {
  world = await engineWorld();
  const options = { registry: world.engine.registry, workDir: world.engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment-passthrough.yml"), options);
  await world.uploadFolder("taxi/", examplePath("taxi-tip", "data"));
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function readParquet(path: string): Promise<Record<string, unknown>[]> {
  const blob = world.clients.blob.getContainerClient(world.config.containers.data).getBlobClient(path);
  return parquetReadObjects({ file: new Uint8Array(await blob.downloadToBuffer()).buffer });
}

/** The cells of a CSV file as text, by column name (the taxi files hold no quoted fields). */
async function csvCells(path: string): Promise<Array<Record<string, string>>> {
  const [header = "", ...lines] = (await readFile(path, "utf8")).trimEnd().split("\n");
  const names = header.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((cell, k) => [names[k], cell])));
}

describe("pass-through columns and per-file Parquet over the taxi example", () => {
  it("writes one Parquet file per input file: one row per input row, the joined columns equal to the input's", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-passthrough",
      // rows split across mini-batches, so most files are written by several of them
      body: { input: "azureml://datastores/workspaceblobstore/paths/taxi/", mini_batch_rows: 150 },
    });
    expect(result.status).toBe("Completed");
    const weights = await readJson(examplePath("taxi-tip", "model", "weights.json"), weightsSchema);
    const files = (await readdir(examplePath("taxi-tip", "data"))).sort();
    const folder = `batchfn-outputs/${spec.name}/`;
    for (const file of files) {
      const input = await csvCells(examplePath("taxi-tip", "data", file));
      const tips = predictInTypeScript(weights, await readNumericCsv(examplePath("taxi-tip", "data", file)));
      const rows = await readParquet(`${folder}${file.replace(/\.csv$/, ".parquet")}`);
      expect(rows, file).toHaveLength(input.length);
      rows.forEach((row, i) => {
        expect(Object.keys(row)).toEqual([
          "row",
          "tripId",
          "fareAmount",
          "tripDistance",
          "prediction",
          "file_name",
        ]);
        expect(row.row).toBe(BigInt(i));
        expect([row.tripId, row.fareAmount, row.tripDistance]).toEqual([
          input[i]?.tripId,
          input[i]?.fareAmount,
          input[i]?.tripDistance,
        ]);
        expect(row.prediction as number).toBeCloseTo(tips[i] ?? Number.NaN, 9);
        expect(row.file_name).toBe(file);
      });
    }
    expect(await world.exists(`${folder}predictions.parquet`)).toBe(false);
    expect(await world.read(`${folder}errors.jsonl`)).toBe("");
    const summary = JSON.parse(await world.read(`${folder}job_summary.json`));
    expect(summary.output.files).toHaveLength(files.length);
    expect(summary.items.rows).toBe(summary.rows_written);
    expect(summary.mini_batches.total).toBeGreaterThan(files.length);
    const record = await world.engine.records.get(spec.name);
    expect(record?.outputs).toEqual([
      `azureml://datastores/workspaceblobstore/paths/${folder}`,
      `azureml://datastores/workspaceblobstore/paths/${folder}errors.jsonl`,
    ]);
  });

  it("fails a file without the key_field alone, naming the column; the other files are written", async () => {
    const trips = await readFile(examplePath("taxi-tip", "data", "taxi-tip-04.csv"), "utf8");
    const withoutKey = trips
      .split("\n")
      .map((line) => line.split(",").slice(1).join(","))
      .join("\n");
    await world.upload("mixed/", { "a/with-key.csv": trips, "b/no-key.csv": withoutKey });
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-passthrough",
      body: { input: "azureml://datastores/workspaceblobstore/paths/mixed/", output_format: "csv" },
    });
    expect(result.status).toBe("Completed");
    const folder = `batchfn-outputs/${spec.name}/`;
    const written = (await world.read(`${folder}a/with-key.csv`)).trimEnd().split("\n");
    expect(written[0]).toBe("row,tripId,fareAmount,tripDistance,prediction,file_name");
    expect(written[1]?.startsWith("0,0400001,")).toBe(true);
    expect(written).toHaveLength(trips.trimEnd().split("\n").length);
    expect(await world.exists(`${folder}b/no-key.csv`)).toBe(false);
    const errors = (await world.read(`${folder}errors.jsonl`))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors).toEqual([
      expect.objectContaining({
        item: "b/no-key.csv",
        code: "MissingColumn",
        message: expect.stringContaining("no column 'tripId', named by key_field"),
      }),
    ]);
  });

  it("fails a per_file job whose input files would write one output file, before scoring anything", async () => {
    const trips = await readFile(examplePath("taxi-tip", "data", "taxi-tip-05.csv"), "utf8");
    const asJsonl = (await csvCells(examplePath("taxi-tip", "data", "taxi-tip-05.csv")))
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === "tripId" ? v : Number(v)])),
        ),
      )
      .join("\n");
    await world.upload("clash/", { "trips.csv": trips, "trips.jsonl": asJsonl });
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-passthrough",
      body: { input: "azureml://datastores/workspaceblobstore/paths/clash/" },
    });
    expect(result.status).toBe("Failed");
    const failed = await world.engine.records.get(spec.name);
    expect(failed).toMatchObject({ status: "Failed" });
    expect(failed?.message).toContain(
      "'trips.csv' and 'trips.jsonl' would both write their predictions to 'trips.parquet'",
    );
    const folder = `batchfn-outputs/${failed?.name}/`;
    expect(await world.exists(`${folder}trips.parquet`)).toBe(false);
  });
});
