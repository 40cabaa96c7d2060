import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { examplePath } from "../examples/example-files.js";
import {
  type CliWorld,
  expectExit,
  expectedTaxiRows,
  jsonOf,
  putTaxiData,
  startCliWorld,
  taxiFiles,
  taxiRows,
  tsvValue,
} from "./cli-fixture.js";

/**
 * The original Azure ML batch endpoint article (2021 preview CLI), step by step with `batchfn` in
 * place of `az ml`: create the endpoint from its 2021 file, show it, invoke it with each input kind,
 * stream the job, read its status, add a deployment and move the traffic to it, delete the endpoint.
 */

let world: CliWorld;
let work: string;

beforeAll(async () => {
  world = await startCliWorld();
  work = await mkdtemp(join(tmpdir(), "batchfn-2021-"));
  await putTaxiData(world.data, "taxi/");
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

/** Streams a job to its end (exit 0 when it completed) and answers its predictions as rows. */
async function predictionsOf(job: string, fileName = "predictions.csv"): Promise<string[]> {
  const streamed = expectExit(await world.cli(["job", "stream", "--name", job]), 0);
  expect(streamed.stdout).toMatch(/Planned \d+ mini-batches/);
  expect(streamed.stderr).toContain(`Job ${job} Completed`);
  const dir = join(work, job);
  expectExit(await world.cli(["job", "download", "--name", job, "--download-path", dir]), 0);
  return taxiRows(await readFile(join(dir, "named-outputs", "score", fileName), "utf8"));
}

describe("the 2021 batch endpoint article with batchfn", { timeout: 180_000 }, () => {
  it("creates the endpoint from endpoint-2021.yml, uploading the model of its inline deployment", async () => {
    const created = await world.cli([
      "endpoint",
      "create",
      "--type",
      "batch",
      "--file",
      examplePath("taxi-tip", "endpoint-2021.yml"),
    ]);
    const endpoint = jsonOf(created);
    expect(endpoint).toMatchObject({
      name: "taxi-tip",
      defaults: { deployment_name: "taxi_tip_deployment" },
    });
    expect(created.stderr).toMatch(/Uploaded model '.*examples\/taxi-tip\/model' \(4 files/);
    expect(created.stderr).toContain("WARNING: deployments.taxi_tip_deployment.compute.target");
  });

  it("shows it with its traffic", async () => {
    const shown = jsonOf(await world.cli(["endpoint", "show", "--name", "taxi-tip", "--type", "batch"]));
    expect(shown).toMatchObject({ name: "taxi-tip", traffic: { taxi_tip_deployment: 100 } });
    expect(String(shown.scoring_uri)).toBe(`${world.app.url}/api/batch-endpoints/taxi-tip/jobs`);
  });

  it("invokes with --input-data <name>:<version> (a data asset whose local folder was uploaded)", async () => {
    const data = jsonOf(
      await world.cli([
        "data",
        "create",
        "--name",
        "taxi-data",
        "--version",
        "1",
        "--path",
        examplePath("taxi-tip", "data"),
      ]),
    );
    expect(String(data.path)).toMatch(
      /^azureml:\/\/datastores\/workspaceartifactstore\/paths\/sha256\/[0-9a-f]{64}\/$/,
    );
    const job = tsvValue(
      await world.cli([
        "endpoint",
        "invoke",
        "--name",
        "taxi-tip",
        "--type",
        "batch",
        "--input-data",
        "taxi-data:1",
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    expect(await predictionsOf(job)).toEqual(await expectedTaxiRows(await taxiFiles()));
    expect(tsvValue(await world.cli(["job", "show", "--name", job, "--query", "status", "-o", "tsv"]))).toBe(
      "Completed",
    );
    expect(tsvValue(await world.cli(["job", "show", "--name", job, "--query", "input", "-o", "tsv"]))).toBe(
      "azureml:taxi-data:1",
    );
  });

  it("invokes with --input-datastore and --input-path, an output datastore and path, and --set overrides", async () => {
    const invoked = jsonOf(
      await world.cli([
        "endpoint",
        "invoke",
        "--name",
        "taxi-tip",
        "--type",
        "batch",
        "--input-datastore",
        "azureml:workspaceblobstore",
        "--input-path",
        "taxi/",
        "--output-datastore",
        "workspaceblobstore",
        "--output-path",
        "article/by-datastore",
        "--set",
        "output_file_name=tips.csv",
        "--set",
        "retry_settings.max_retries=1",
        "retry_settings.timeout=60",
        "--set",
        "error_threshold=5",
        "logging_level=debug",
        "max_concurrency_per_instance=2",
        "--mini-batch-size",
        "3",
        "--instance-count",
        "2",
      ]),
    );
    const job = String(invoked.name);
    expect(invoked).toMatchObject({
      input: "azureml://datastores/workspaceblobstore/paths/taxi/",
      output: {
        path: "azureml://datastores/workspaceblobstore/paths/article/by-datastore/",
        file_name: "tips.csv",
      },
    });
    expect(await predictionsOf(job, "tips.csv")).toEqual(await expectedTaxiRows(await taxiFiles()));
    const dir = join(work, `${job}-all`);
    expectExit(await world.cli(["job", "download", "--name", job, "--all", "--download-path", dir]), 0);
    const summary = JSON.parse(
      await readFile(join(dir, "named-outputs", "score", "job_summary.json"), "utf8"),
    );
    expect(summary.settings).toMatchObject({
      mini_batch_size: 3,
      instance_count: 2,
      max_concurrency_per_instance: 2,
      error_threshold: 5,
      logging_level: "debug",
      retry_settings: { max_retries: 1, timeout: 60 },
    });
    const progress = jsonOf<{ progress: { mini_batches: { total: number } } }>(
      await world.cli(["job", "show", "--name", job]),
    ).progress;
    expect(progress.mini_batches.total).toBe(Math.ceil((await taxiFiles()).length / 3));
  });

  it("invokes with --input-local-path (a folder, uploaded content-addressed)", async () => {
    const invoked = await world.cli([
      "endpoint",
      "invoke",
      "--name",
      "taxi-tip",
      "--type",
      "batch",
      "--input-local-path",
      examplePath("taxi-tip", "data"),
      "--query",
      "name",
      "-o",
      "tsv",
    ]);
    expect(invoked.stderr).toMatch(
      /input '.*examples\/taxi-tip\/data' is unchanged \(sha256 [0-9a-f]{12}…\): not uploaded again/,
    );
    expect(await predictionsOf(tsvValue(invoked))).toEqual(await expectedTaxiRows(await taxiFiles()));
  });

  it("invokes with --input-path <url> (a file served over http by a public blob container)", async () => {
    const container = await world.publicContainer();
    await putTaxiData(container, "public/", ["taxi-tip-04.csv"]);
    const url = container.getBlobClient("public/taxi-tip-04.csv").url;
    const job = tsvValue(
      await world.cli([
        "endpoint",
        "invoke",
        "--name",
        "taxi-tip",
        "--type",
        "batch",
        "--input-path",
        url,
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    expect(await predictionsOf(job)).toEqual(await expectedTaxiRows(["taxi-tip-04.csv"]));
  });

  it("adds a deployment with update --deployment-file and moves all traffic to it with --traffic", async () => {
    const file = join(work, "deployment-2021.yml");
    await writeFile(
      file,
      stringify({
        name: "tips-small-batches",
        model: { name: "taxi-tip-model", version: 1, local_path: examplePath("taxi-tip", "model") },
        compute: { target: "azureml:cpu-cluster", instance_count: 1 },
        mini_batch_size: 1,
        output_file_name: "small.csv",
      }),
    );
    const added = jsonOf(
      await world.cli([
        "endpoint",
        "update",
        "--name",
        "taxi-tip",
        "--type",
        "batch",
        "--deployment-file",
        file,
      ]),
    );
    expect(added.traffic).toEqual({ taxi_tip_deployment: 100, "tips-small-batches": 0 });
    const moved = jsonOf(
      await world.cli([
        "endpoint",
        "update",
        "--name",
        "taxi-tip",
        "--type",
        "batch",
        "--traffic",
        "tips-small-batches:100",
      ]),
    );
    expect(moved.traffic).toEqual({ taxi_tip_deployment: 0, "tips-small-batches": 100 });
    const job = jsonOf(
      await world.cli([
        "endpoint",
        "invoke",
        "--name",
        "taxi-tip",
        "--type",
        "batch",
        "--input-datastore",
        "workspaceblobstore",
        "--input-path",
        "taxi/",
      ]),
    );
    expect(job.deployment).toBe("tips-small-batches");
    expect(await predictionsOf(String(job.name), "small.csv")).toEqual(
      await expectedTaxiRows(await taxiFiles()),
    );
    const bad = await world.cli([
      "endpoint",
      "update",
      "--name",
      "taxi-tip",
      "--type",
      "batch",
      "--traffic",
      "tips-small-batches:50",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("give <deployment>:100");
  });

  it("deletes the endpoint; showing it then fails with NotFound", async () => {
    expectExit(await world.cli(["endpoint", "delete", "--name", "taxi-tip", "--type", "batch", "--yes"]), 0);
    const shown = await world.cli(["endpoint", "show", "--name", "taxi-tip", "--type", "batch"]);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain("ERROR: (NotFound) Batch endpoint 'taxi-tip' was not found.");
  });
});
