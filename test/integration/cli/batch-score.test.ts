import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
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
  startFlakyProxy,
  taxiFiles,
  taxiRows,
  tsvValue,
} from "./cli-fixture.js";

/**
 * Azure ML's `batch-score.sh`, with `batchfn` in place of `az ml`: create the endpoint, add a
 * deployment, show them, invoke with each input kind, stream, read the status with
 * `--query status -o tsv`, switch the default deployment, list jobs, download outputs, delete.
 */

let world: CliWorld;
let work: string;
const jobs: string[] = [];

beforeAll(async () => {
  world = await startCliWorld();
  work = await mkdtemp(join(tmpdir(), "batchfn-v2-"));
  await putTaxiData(world.data, "taxi/");
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

/** `JOB=$(batchfn batch-endpoint invoke ... --query name -o tsv)`, then `job stream` and `job show`. */
async function invokeAndWait(args: string[]): Promise<string> {
  const job = tsvValue(
    await world.cli([
      "batch-endpoint",
      "invoke",
      "--name",
      "taxi-tip",
      ...args,
      "--query",
      "name",
      "-o",
      "tsv",
    ]),
  );
  jobs.push(job);
  const streamed = await world.cli(["job", "stream", "--name", job]);
  expectExit(streamed, 0);
  expect(streamed.stderr).toMatch(/mini-batches \d+\/\d+ done/);
  expect(tsvValue(await world.cli(["job", "show", "--name", job, "--query", "status", "-o", "tsv"]))).toBe(
    "Completed",
  );
  return job;
}

async function downloadedRows(job: string, fileName = "predictions.csv"): Promise<string[]> {
  const dir = join(work, job);
  expectExit(
    await world.cli(["job", "download", "--name", job, "--output-name", "score", "--download-path", dir]),
    0,
  );
  return taxiRows(await readFile(join(dir, "named-outputs", "score", fileName), "utf8"));
}

describe("the batch-score.sh workflow with batchfn", { timeout: 180_000 }, () => {
  it("creates the endpoint without the default its file names (the deployment does not exist yet), and says so", async () => {
    const created = await world.cli([
      "batch-endpoint",
      "create",
      "--file",
      examplePath("taxi-tip", "endpoint.yml"),
    ]);
    expect(jsonOf(created)).toMatchObject({
      name: "taxi-tip",
      defaults: {},
      provisioning_state: "Succeeded",
    });
    expect(created.stderr).toContain(
      "has no deployment 'taxi-tip-onnx' yet, so it is created without a default deployment",
    );
  });

  it("adds the deployment (its model folder uploaded once) and makes it the default", async () => {
    const created = await world.cli([
      "batch-deployment",
      "create",
      "--file",
      examplePath("taxi-tip", "deployment.yml"),
      "--endpoint-name",
      "taxi-tip",
      "--set-default",
    ]);
    expect(jsonOf(created)).toMatchObject({
      name: "taxi-tip-onnx",
      model: { name: "taxi-tip-model", version: "1" },
    });
    expect(created.stderr).toMatch(/Uploaded model '.*examples\/taxi-tip\/model' \(4 files/);
    expect(
      tsvValue(
        await world.cli([
          "batch-endpoint",
          "show",
          "--name",
          "taxi-tip",
          "--query",
          "defaults.deployment_name",
          "-o",
          "tsv",
        ]),
      ),
    ).toBe("taxi-tip-onnx");

    const again = await world.cli([
      "batch-deployment",
      "create",
      "--file",
      examplePath("taxi-tip", "deployment.yml"),
      "--debug",
    ]);
    expectExit(again, 0);
    expect(again.stderr).toMatch(
      /model '.*examples\/taxi-tip\/model' is unchanged \(sha256 [0-9a-f]{12}…\): not uploaded again/,
    );
    expect(again.stderr).not.toContain("/api/artifact-uploads");
    expect(again.stderr).toContain("PUT");
  });

  it("shows the deployment and lists the endpoint's deployments", async () => {
    const shown = jsonOf(
      await world.cli(["batch-deployment", "show", "--name", "taxi-tip-onnx", "--endpoint-name", "taxi-tip"]),
    );
    expect(shown).toMatchObject({
      endpoint_name: "taxi-tip",
      settings: { mini_batch_size: 2, output_action: "append_row" },
    });
    expect(
      tsvValue(
        await world.cli([
          "batch-deployment",
          "list",
          "--endpoint-name",
          "taxi-tip",
          "--query",
          "[].name",
          "-o",
          "tsv",
        ]),
      ),
    ).toBe("taxi-tip-onnx");
  });

  it("invokes on a datastore path", async () => {
    const job = await invokeAndWait(["--input", "azureml://datastores/workspaceblobstore/paths/taxi/"]);
    expect(await downloadedRows(job)).toEqual(await expectedTaxiRows(await taxiFiles()));
    const web = await world.cli(["job", "show", "--name", job, "--web", "--query", "status", "-o", "tsv"]);
    expect([web.code, web.stdout.trim()]).toEqual([0, "Completed"]);
    const page = `${world.app.url}/api/monitor/#/jobs/${job}`;
    expect(web.stderr).toContain(`Job monitor: ${page}`);
    expect((await fetch(page)).status).toBe(200);
    const endpoint = await world.cli(["batch-endpoint", "show", "--name", "taxi-tip", "--web", "-o", "none"]);
    expect(endpoint.code).toBe(0);
    expect(endpoint.stderr).toContain(`Job monitor: ${world.app.url}/api/monitor/#/jobs?endpoint=taxi-tip`);
  });

  it("invokes on a local folder (uploaded to the artifact store)", async () => {
    const job = await invokeAndWait([
      "--input",
      examplePath("taxi-tip", "data"),
      "--input-type",
      "uri_folder",
    ]);
    const shown = jsonOf(await world.cli(["job", "show", "--name", job]));
    expect(String(shown.input)).toMatch(
      /^azureml:\/\/datastores\/workspaceartifactstore\/paths\/sha256\/[0-9a-f]{64}\/$/,
    );
    expect(await downloadedRows(job)).toEqual(await expectedTaxiRows(await taxiFiles()));
  });

  it("invokes on a local file, with an output path and --set output_file_name", async () => {
    const job = await invokeAndWait([
      "--input",
      examplePath("taxi-tip", "data", "taxi-tip-02.csv"),
      "--output-path",
      "azureml://datastores/workspaceblobstore/paths/v2/one-file",
      "--set",
      "output_file_name=one.csv",
    ]);
    const shown = jsonOf<{ input: string; output: { path: string } }>(
      await world.cli(["job", "show", "--name", job]),
    );
    expect(shown.input).toMatch(/\/sha256\/[0-9a-f]{64}\/taxi-tip-02\.csv$/);
    expect(shown.output.path).toBe("azureml://datastores/workspaceblobstore/paths/v2/one-file/");
    expect(await downloadedRows(job, "one.csv")).toEqual(await expectedTaxiRows(["taxi-tip-02.csv"]));
  });

  it("invokes on a registered data asset (data create from a file with a local path)", async () => {
    const file = join(work, "data.yml");
    await writeFile(
      file,
      stringify({
        name: "taxi-files",
        version: 3,
        type: "uri_folder",
        path: examplePath("taxi-tip", "data"),
      }),
    );
    expectExit(await world.cli(["data", "create", "--file", file]), 0);
    expect(
      tsvValue(
        await world.cli([
          "data",
          "show",
          "--name",
          "taxi-files",
          "--label",
          "latest",
          "--query",
          "version",
          "-o",
          "tsv",
        ]),
      ),
    ).toBe("3");
    const job = await invokeAndWait(["--input", "azureml:taxi-files:3", "--mini-batch-size", "5"]);
    expect(await downloadedRows(job)).toEqual(await expectedTaxiRows(await taxiFiles()));
  });

  it("invokes on an http URL of a file (a public blob container)", async () => {
    const container = await world.publicContainer();
    await putTaxiData(container, "v2/", ["taxi-tip-07.csv"]);
    const job = await invokeAndWait([
      "--input",
      container.getBlobClient("v2/taxi-tip-07.csv").url,
      "--input-type",
      "uri_file",
    ]);
    expect(await downloadedRows(job)).toEqual(await expectedTaxiRows(["taxi-tip-07.csv"]));
  });

  it("switches the default deployment; invocations then run the new one", async () => {
    expectExit(
      await world.cli([
        "batch-deployment",
        "create",
        "--file",
        examplePath("taxi-tip", "deployment.yml"),
        "--name",
        "taxi-tip-v2",
        "--set",
        "settings.output_file_name=v2.csv",
        "settings.mini_batch_size=5",
      ]),
      0,
    );
    expect(
      tsvValue(
        await world.cli([
          "batch-endpoint",
          "show",
          "-n",
          "taxi-tip",
          "--query",
          "defaults.deployment_name",
          "-o",
          "tsv",
        ]),
      ),
    ).toBe("taxi-tip-onnx");
    const updated = jsonOf(
      await world.cli([
        "batch-endpoint",
        "update",
        "--name",
        "taxi-tip",
        "--defaults",
        "deployment_name=taxi-tip-v2",
      ]),
    );
    expect(updated).toMatchObject({
      defaults: { deployment_name: "taxi-tip-v2" },
      description: expect.stringContaining("tip"),
    });
    const job = await invokeAndWait(["--input", "azureml://datastores/workspaceblobstore/paths/taxi/"]);
    const shown = jsonOf(await world.cli(["job", "show", "--name", job]));
    expect(shown).toMatchObject({ deployment: "taxi-tip-v2", output: { file_name: "v2.csv" } });
    expect(await downloadedRows(job, "v2.csv")).toEqual(await expectedTaxiRows(await taxiFiles()));

    const pinned = await invokeAndWait([
      "--input",
      "azureml://datastores/workspaceblobstore/paths/taxi/",
      "--deployment-name",
      "taxi-tip-onnx",
    ]);
    expect(jsonOf(await world.cli(["job", "show", "--name", pinned])).deployment).toBe("taxi-tip-onnx");
  });

  it("lists the endpoint's jobs (names, table) and the jobs API's filters", async () => {
    const names = tsvValue(
      await world.cli([
        "batch-endpoint",
        "list-jobs",
        "--name",
        "taxi-tip",
        "--query",
        "[].name",
        "-o",
        "tsv",
      ]),
    );
    expect(names.split("\n").sort()).toEqual([...jobs].sort());
    const table = expectExit(
      await world.cli(["job", "list", "--endpoint-name", "taxi-tip", "-o", "table"]),
      0,
    ).stdout;
    const [header, dashes, ...rows] = table.trimEnd().split("\n");
    expect(header).toMatch(/^Name\s+Status\s+Endpoint\s+Deployment\s+MiniBatches\s+Items/);
    expect(dashes).toMatch(/^-+\s+-+/);
    expect(rows).toHaveLength(jobs.length);
    expect(rows.every((row) => row.includes("Completed"))).toBe(true);
    const limited = jsonOf<unknown[]>(
      await world.cli(["job", "list", "--status", "Completed", "--max-results", "2"]),
    );
    expect(limited).toHaveLength(2);
    const canceled = await world.cli([
      "job",
      "cancel",
      "--name",
      jobs[0] ?? "",
      "--query",
      "status",
      "-o",
      "tsv",
    ]);
    expect(tsvValue(canceled)).toBe("Completed");
    expect(canceled.stderr).toContain(`Job ${jobs[0]} had already ended Completed; nothing was changed.`);
  });

  it("keeps following a job through an app that answers 503 for a while", async () => {
    const job = jobs[0] ?? "";
    const proxy = await startFlakyProxy(world.app.url, 2);
    try {
      const streamed = await world.cli(["job", "stream", "--name", job, "--url", proxy.url]);
      expectExit(streamed, 0);
      expect(proxy.failed()).toBe(2);
      expect(streamed.stderr).toContain("answered 503 Service Unavailable: restarting Trying again (1/7)");
      expect(streamed.stderr).toContain("Trying again (2/7)");
      expect(streamed.stdout).toMatch(/Job Completed/);
      expect(streamed.stderr).toContain(`Job ${job} Completed`);
    } finally {
      await proxy.close();
    }
  });

  it("downloads every output with --all: predictions, errors, summary and the job log", async () => {
    const job = jobs[0] ?? "";
    const dir = join(work, "all");
    const downloaded = jsonOf<Array<{ name: string; size: number }>>(
      await world.cli(["job", "download", "--name", job, "--all", "--download-path", dir]),
    );
    expect(downloaded.map((file) => file.name).sort()).toEqual(
      ["errors.jsonl", "job_summary.json", `logs/${job}.jsonl`, "predictions.csv"].sort(),
    );
    expect((await readdir(join(dir, "named-outputs", "score"))).sort()).toEqual([
      "errors.jsonl",
      "job_summary.json",
      "predictions.csv",
    ]);
    const log = (await readFile(join(dir, "logs", `${job}.jsonl`), "utf8")).trim().split("\n");
    expect(JSON.parse(log.at(-1) ?? "{}").message).toMatch(/^Job Completed/);
  });

  it("refuses to delete the default deployment (with a hint), deletes another, then the endpoint", async () => {
    const refused = await world.cli([
      "batch-deployment",
      "delete",
      "--name",
      "taxi-tip-v2",
      "--endpoint-name",
      "taxi-tip",
      "--yes",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ERROR: (DeploymentIsDefault)");
    expect(refused.stderr).toContain("Hint: make another deployment the default first");
    expectExit(
      await world.cli(["batch-deployment", "delete", "--name", "taxi-tip-onnx", "-e", "taxi-tip", "--yes"]),
      0,
    );
    expect(
      tsvValue(
        await world.cli(["batch-deployment", "list", "-e", "taxi-tip", "--query", "[].name", "-o", "tsv"]),
      ),
    ).toBe("taxi-tip-v2");
    expectExit(await world.cli(["batch-endpoint", "delete", "--name", "taxi-tip", "--yes"]), 0);
    const gone = await world.cli(["batch-endpoint", "show", "--name", "taxi-tip"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("(NotFound)");
    expect(jsonOf<unknown[]>(await world.cli(["batch-endpoint", "list"]))).toEqual([]);
  });
});
