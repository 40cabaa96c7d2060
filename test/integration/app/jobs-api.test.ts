import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry, type Registry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { adminHeaders, call, waitForJob } from "../../support/app-client.js";
import { type AppProcess, repoRoot, startAppProcess } from "../../support/app-process.js";
import { examplePath } from "../examples/example-files.js";
import { expectedTaxiRows, readTaxiRows } from "../examples/taxi-model.js";

let app: AppProcess;
let registry: Registry;
let putData: (name: string, content: string | Buffer) => Promise<void>;

beforeAll(async () => {
  app = await startAppProcess();
  const config = loadConfig(app.env);
  const clients = createStorageClients(config.storage);
  registry = createRegistry({ clients, config });
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-register-"));
  for (const example of ["taxi-tip", "digits"]) {
    await registerEndpointFile(examplePath(example, "endpoint.yml"), { registry, workDir });
    await registerDeploymentFile(examplePath(example, "deployment.yml"), { registry, workDir });
  }
  const data = clients.blob.getContainerClient(config.containers.data);
  putData = async (name, content) => {
    const body = typeof content === "string" ? Buffer.from(content) : content;
    await data.getBlockBlobClient(name).upload(body, body.length);
  };
  for (const file of await readdir(examplePath("taxi-tip", "data"))) {
    await putData(`taxi/${file}`, await readFile(examplePath("taxi-tip", "data", file)));
  }
  for (const file of await readdir(examplePath("digits", "data"))) {
    await putData(`digits/${file}`, await readFile(examplePath("digits", "data", file)));
  }
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

const jobsUrl = (endpoint: string) => `${app.url}/api/batch-endpoints/${endpoint}/jobs`;

describe("the app on the local host: HTTP → orchestration → activities → Blob", () => {
  it("runs the taxi example from the scoring URI to downloadable predictions that match the weights", async () => {
    const invoked = await call(jobsUrl("taxi-tip"), {
      body: { input: "azureml://datastores/workspaceblobstore/paths/taxi/" },
    });
    expect(invoked.status).toBe(202);
    const location = invoked.headers.get("location") ?? "";
    expect(location).toBe(`${app.url}/api/jobs/${invoked.body.name}`);
    expect(invoked.body).toMatchObject({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      status: "NotStarted",
    });

    const done = await waitForJob(location);
    expect(done).toMatchObject({ status: "Completed", progress: { items: { failed: 0 } } });

    const outputs = await call<{ value: Array<{ name: string; download_url: string }> }>(
      `${location}/outputs`,
    );
    expect(outputs.body.value.map((f) => f.name).sort()).toEqual([
      "errors.jsonl",
      "job_summary.json",
      "predictions.csv",
    ]);
    const predictions = outputs.body.value.find((f) => f.name === "predictions.csv");
    const text = await (await fetch(predictions?.download_url ?? "", { headers: adminHeaders })).text();
    expect(readTaxiRows(text)).toEqual(await expectedTaxiRows());

    const log = await (await fetch(`${location}/logs`, { headers: adminHeaders })).text();
    expect(log.trim().split("\n").at(-1)).toContain("Job Completed");
  });

  it("runs the digits example with its custom script through HTTP", async () => {
    const invoked = await call(jobsUrl("digits"), {
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/digits/",
        output_path: "azureml://datastores/workspaceblobstore/paths/digits-http/",
      },
    });
    const done = await waitForJob(invoked.headers.get("location") ?? "");
    expect(done.status).toBe("Completed");
    const labels = (await readFile(examplePath("digits", "labels.csv"), "utf8")).trim().split("\n").slice(1);
    const outputs = await call<{ value: Array<{ name: string; download_url: string }> }>(
      `${invoked.headers.get("location")}/outputs`,
    );
    const url = outputs.body.value.find((f) => f.name === "predictions.csv")?.download_url ?? "";
    const predicted = new Map(
      (await (await fetch(url, { headers: adminHeaders })).text())
        .trim()
        .split("\n")
        .map((l) => l.split(": ") as [string, string]),
    );
    const correct = labels.filter((line) => {
      const [file, label] = line.split(",");
      return predicted.get(file ?? "") === label;
    }).length;
    expect(predicted.size).toBe(labels.length);
    expect(correct / labels.length).toBeGreaterThan(0.95);
  });

  it("answers a repeated invocation with the same job_name or Idempotency-Key with the same job", async () => {
    const body = {
      input: "azureml://datastores/workspaceblobstore/paths/taxi/",
      job_name: "taxi-once",
      output_path: "azureml://datastores/workspaceblobstore/paths/once/",
    };
    const first = await call(jobsUrl("taxi-tip"), { body });
    const again = await call(jobsUrl("taxi-tip"), { body });
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body.name).toBe("taxi-once");

    const keyed = {
      input: "azureml://datastores/workspaceblobstore/paths/taxi/",
      output_path: "azureml://datastores/workspaceblobstore/paths/keyed/",
    };
    const headers = { "idempotency-key": "retry-me-1" };
    const k1 = await call(jobsUrl("taxi-tip"), { body: keyed, headers });
    const k2 = await call(jobsUrl("taxi-tip"), { body: keyed, headers });
    expect([k1.status, k2.status]).toEqual([202, 200]);
    expect(k2.body.name).toBe(k1.body.name);
    await waitForJob(`${app.url}/api/jobs/${k1.body.name}`);
    await waitForJob(`${app.url}/api/jobs/taxi-once`);
    const listed = await call<{ value: Array<{ name: string }> }>(
      `${app.url}/api/jobs?endpoint=taxi-tip&top=1000`,
    );
    expect(listed.body.value.filter((j) => j.name === "taxi-once")).toHaveLength(1);
    expect(listed.body.value.filter((j) => j.name === k1.body.name)).toHaveLength(1);
  });

  it("accepts the Azure ML DatasetVersion body and the azureml-model-deployment header", async () => {
    await registry.data.create({
      name: "taxi-data",
      version: "1",
      type: "uri_folder",
      path: "azureml://datastores/workspaceblobstore/paths/taxi/",
    });
    const invoked = await call(jobsUrl("taxi-tip"), {
      headers: { "azureml-model-deployment": "taxi-tip-onnx" },
      body: {
        properties: {
          dataset: { dataInputType: "DatasetVersion", datasetName: "taxi-data", datasetVersion: "1" },
        },
        outputDataset: { datastoreId: "workspaceblobstore", path: "aml-body" },
        outputFileName: "tips.csv",
      },
    });
    expect(invoked.status).toBe(202);
    const done = await waitForJob(invoked.headers.get("location") ?? "");
    expect(done).toMatchObject({
      status: "Completed",
      input: "azureml:taxi-data:1",
      output: { path: "azureml://datastores/workspaceblobstore/paths/aml-body/", file_name: "tips.csv" },
    });
  });

  it("refuses an output that exists, before starting anything", async () => {
    await putData("taken/predictions.csv", "old rows\n");
    const before = await call<{ value: unknown[] }>(`${app.url}/api/jobs?top=1000`);
    const refused = await call(jobsUrl("taxi-tip"), {
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/taxi/",
        output_path: "azureml://datastores/workspaceblobstore/paths/taken/",
      },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "OutputExists" } });
    const after = await call<{ value: unknown[] }>(`${app.url}/api/jobs?top=1000`);
    expect(after.body.value).toHaveLength(before.body.value.length);
  });

  it("cancels a running job: running mini-batches are stopped, no new one starts, finished parts are kept", async () => {
    const dir = await mkdtemp(join(tmpdir(), "batchfn-slow-"));
    await writeFile(
      join(dir, "deployment.yml"),
      stringify({
        name: "slow",
        endpoint_name: "digits",
        model: { name: "fixture-model", version: 1, path: join(repoRoot, "test/fixtures/engine/model") },
        code_configuration: {
          code: join(repoRoot, "test/fixtures/engine/slow"),
          scoring_script: "score.mjs",
        },
        environment_variables: { SLOW_MS: "300" },
        settings: { mini_batch_size: 1, max_concurrency_per_instance: 1 },
      }),
    );
    await registerDeploymentFile(join(dir, "deployment.yml"), { registry, workDir: dir });
    const invoked = await call(jobsUrl("digits"), {
      headers: { "azureml-model-deployment": "slow" },
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/digits/",
        output_path: "azureml://datastores/workspaceblobstore/paths/canceled/",
      },
    });
    const location = invoked.headers.get("location") ?? "";
    for (;;) {
      const { body } = await call<{ progress?: { mini_batches: { succeeded: number } } }>(location);
      if ((body.progress?.mini_batches.succeeded ?? 0) >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const canceled = await call(`${location}/cancel`, { method: "POST" });
    expect(canceled.status).toBe(202);
    expect(canceled.body.status).toBe("CancelRequested");
    const done = await waitForJob(location);
    expect(done.status).toBe("Canceled");
    const progress = done.progress as { mini_batches: { succeeded: number; total: number } };
    expect(progress.mini_batches.succeeded).toBeGreaterThanOrEqual(2);
    expect(progress.mini_batches.succeeded).toBeLessThan(progress.mini_batches.total);
    const outputs = await call<{ value: Array<{ name: string; download_url: string }> }>(
      `${location}/outputs`,
    );
    const rows = (
      await (
        await fetch(outputs.body.value.find((f) => f.name === "predictions.csv")?.download_url ?? "", {
          headers: adminHeaders,
        })
      ).text()
    )
      .trim()
      .split("\n");
    expect(rows).toHaveLength(progress.mini_batches.succeeded);
  });

  it("streams the log of a running job until it ends with logs?follow=true", async () => {
    const invoked = await call(jobsUrl("taxi-tip"), {
      body: {
        input: "azureml://datastores/workspaceblobstore/paths/taxi/",
        output_path: "azureml://datastores/workspaceblobstore/paths/followed/",
      },
    });
    const response = await fetch(`${invoked.headers.get("location")}/logs?follow=true`, {
      headers: adminHeaders,
    });
    expect(response.status).toBe(200);
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { message: string });
    expect(lines[0]?.message).toMatch(/^Planned \d+ mini-batches/);
    expect(lines.at(-1)?.message).toMatch(/^Job Completed/);
  });
});
