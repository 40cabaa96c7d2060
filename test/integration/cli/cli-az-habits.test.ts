import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { examplePath } from "../examples/example-files.js";
import { type CliWorld, expectExit, jsonOf, putTaxiData, startCliWorld, tsvValue } from "./cli-fixture.js";

/** The az habits the CLI keeps: checks before uploads, versions that count up, -o none, --version. */

let world: CliWorld;
let artifacts: ContainerClient;

beforeAll(async () => {
  world = await startCliWorld();
  const blob = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  artifacts = blob.getContainerClient(loadConfig(world.app.env).containers.artifacts);
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

async function artifactBlobs(): Promise<string[]> {
  const names: string[] = [];
  if (!(await artifacts.exists())) return names;
  for await (const blob of artifacts.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

/** A folder of its own with one CSV file, so its upload would be a new artifact. */
async function localFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-habits-"));
  await writeFile(join(dir, "a.csv"), `x,y\n1,${Math.random()}\n`);
  return dir;
}

describe("invoke checks every --set before uploading anything", { timeout: 120_000 }, () => {
  it("refuses an unknown key or a bad value with nothing uploaded, naming the --set item", async () => {
    const before = await artifactBlobs();
    const folder = await localFolder();
    const cases: Array<[string[], RegExp]> = [
      [
        ["--set", "settings.mini_batch_rows=5000"],
        /--set 'settings\.mini_batch_rows=5000': settings: unknown key 'settings'/,
      ],
      [["--set", "mini_batch_rows=many"], /--set 'mini_batch_rows=many': mini_batch_rows: must be a number/],
      [["--set", "retry_settings.max_retries=-1"], /retry_settings\.max_retries: must be ≥ 0/],
      [["--set", "output_file_name=a/b.csv"], /output_file_name: must be a file name/],
      [["--job-name", "a job"], /--job-name job_name: must be 1-\d+ letters/],
    ];
    for (const [flags, message] of cases) {
      const refused = await world.cli([
        "batch-endpoint",
        "invoke",
        "-n",
        "nowhere",
        "--input",
        folder,
        ...flags,
      ]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/^ERROR: \(InvalidParameter\) /);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr).toContain("nothing was uploaded or started");
      expect(refused.stderr).toContain(
        "an invocation takes: default_input, deployment_name, error_threshold,",
      );
      expect(refused.stderr).not.toContain("Uploading");
    }
    const old = await world.cli([
      "endpoint",
      "invoke",
      "-n",
      "nowhere",
      "--type",
      "batch",
      "--input-local-path",
      folder,
      "--set",
      "settings.mini_batch_size=5",
    ]);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain("--set 'settings.mini_batch_size=5': settings: unknown key 'settings'");
    expect(await artifactBlobs()).toEqual(before);
  });
});

describe("invoke refuses bad job labels before uploading anything", { timeout: 120_000 }, () => {
  it("names the flag: a tag without '=', an over-long display name, a bad experiment name", async () => {
    const before = await artifactBlobs();
    const folder = await localFolder();
    const cases: Array<[string[], RegExp]> = [
      [["--tags", "team=ml", "env"], /^ERROR: \(InvalidParameter\) --tags 'env' is not key=value/],
      [["--display-name", "x".repeat(257)], /--display-name display_name: must be at most 256 characters/],
      [["--experiment-name", "my run"], /--experiment-name experiment_name: must be 1-255 letters/],
    ];
    for (const [flags, message] of cases) {
      const refused = await world.cli([
        "batch-endpoint",
        "invoke",
        "-n",
        "nowhere",
        "--input",
        folder,
        ...flags,
      ]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr).toContain("nothing was uploaded or started");
      expect(refused.stderr).not.toContain("Uploading");
    }
    expect(await artifactBlobs()).toEqual(before);
  });
});

describe("invoke --display-name --experiment-name --tags, as az ml takes them", { timeout: 180_000 }, () => {
  it("keeps the labels with the job and job show shows them", async () => {
    expectExit(
      await world.cli(["batch-endpoint", "create", "--file", examplePath("taxi-tip", "endpoint.yml")]),
      0,
    );
    expectExit(
      await world.cli(["batch-deployment", "create", "--file", examplePath("taxi-tip", "deployment.yml")]),
      0,
    );
    await putTaxiData(world.data, "labels/");
    const job = tsvValue(
      await world.cli([
        "batch-endpoint",
        "invoke",
        "-n",
        "taxi-tip",
        "--input",
        "azureml://datastores/workspaceblobstore/paths/labels/",
        "--display-name",
        "Nightly taxi",
        "--experiment-name",
        "nightly",
        "--tags",
        "team=ml",
        "env=a=b",
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    expect(jsonOf(await world.cli(["job", "show", "-n", job]))).toMatchObject({
      display_name: "Nightly taxi",
      experiment_name: "nightly",
      tags: { team: "ml", env: "a=b" },
    });
    const listJobs = async (deployment: string) =>
      jsonOf<string[]>(
        await world.cli([
          "batch-deployment",
          "list-jobs",
          "-n",
          deployment,
          "-e",
          "taxi-tip",
          "--query",
          "[].name",
        ]),
      );
    expect(await listJobs("taxi-tip-onnx")).toEqual([job]);
    expect(await listJobs("other-deployment")).toEqual([]);
  });
});

describe("model and data create without --version take the next version, as az does", {
  timeout: 180_000,
}, () => {
  it("counts up from the highest numeric version, 1 for a new name", async () => {
    const folder = await localFolder();
    const create = (...flags: string[]) =>
      world.cli(["model", "create", "--name", "counted", "--path", folder, ...flags]);
    const first = await create();
    expect(jsonOf(first).version).toBe("1");
    expect(first.stderr).toContain("version: not given; version 1 (the next one) is used");
    expect(jsonOf(await create()).version).toBe("2");
    expectExit(await create("--version", "7"), 0);
    expectExit(await create("--version", "v10"), 0);
    expect(jsonOf(await create()).version).toBe("8");
    expect(
      tsvValue(
        await world.cli([
          "model",
          "list",
          "-n",
          "counted",
          "--query",
          "[].version | join(' ', @)",
          "-o",
          "tsv",
        ]),
      ),
    ).toBe("1 2 7 8 v10");
    const data = await world.cli(["data", "create", "--name", "counted-data", "--path", folder]);
    expect(jsonOf(data).version).toBe("1");
    expect(
      jsonOf(await world.cli(["data", "create", "--name", "counted-data", "--path", folder])).version,
    ).toBe("2");
  });
});
