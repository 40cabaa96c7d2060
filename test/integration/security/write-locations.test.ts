import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../../src/config.js";
import { createRegistry, type Registry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call, waitForJob } from "../../support/app-client.js";
import { type AppProcess, startAppProcess } from "../../support/app-process.js";
import { deployTaxi, TRIP_INPUT } from "../auth/deployment-fixture.js";
import { examplePath } from "../examples/example-files.js";

/**
 * Who may write where: an endpoint's invokers write only into data datastores, never into the
 * artifact store or batchfn's own containers, and never into an output folder of another job
 * (whatever `overwrite` says). Each refusal is an error answer at invoke, with nothing stored.
 */

const keysSchema = z.object({ primaryKey: z.string().min(40) });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const jobSchema = z.object({ name: z.string(), status: z.string() });

let app: AppProcess;
let keyA: string;
let keyB: string;
let jobB: string;
let registry: Registry;
let containers: Record<"data" | "artifacts" | "jobs" | "inbox" | "outbox", ContainerClient>;

const url = (path: string) => `${app.url}/api/${path}`;
const asKey = (key: string, path: string, body?: unknown) =>
  call(url(path), { body, headers: { "x-functions-key": key }, admin: false });

async function createKeyedEndpoint(name: string): Promise<string> {
  const created = await call(url(`batch-endpoints/${name}`), { method: "PUT", body: { auth_mode: "key" } });
  expect(created.status).toBe(201);
  await deployTaxi(app.env, [name]);
  return keysSchema.parse(created.body.keys).primaryKey;
}

/** Every blob (name and ETag) of batchfn's containers, and every job record: what "nothing stored" compares. */
async function storageSnapshot(): Promise<string[]> {
  const seen: string[] = [];
  for (const [label, container] of Object.entries(containers)) {
    if (!(await container.exists())) continue;
    for await (const blob of container.listBlobsFlat())
      seen.push(`${label}/${blob.name} ${blob.properties.etag}`);
  }
  const jobs = await call<{ value: Array<{ name: string }> }>(url("jobs?top=1000"));
  return [...seen, ...jobs.body.value.map((job) => `job ${job.name}`)].sort();
}

async function expectRefused(body: unknown, status: number, code: string, words: RegExp): Promise<void> {
  const before = await storageSnapshot();
  const answer = await asKey(keyA, "batch-endpoints/wl-a/jobs", body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const error = errorSchema.parse(answer.body).error;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(words);
  expect(await storageSnapshot()).toEqual(before);
}

beforeAll(async () => {
  app = await startAppProcess();
  const config = loadConfig(app.env);
  const clients = createStorageClients(config.storage);
  registry = createRegistry({ clients, config });
  const c = config.containers;
  containers = {
    data: clients.blob.getContainerClient(c.data),
    artifacts: clients.blob.getContainerClient(c.artifacts),
    jobs: clients.blob.getContainerClient(c.jobs),
    inbox: clients.blob.getContainerClient(c.inbox),
    outbox: clients.blob.getContainerClient(c.outbox),
  };
  keyA = await createKeyedEndpoint("wl-a");
  keyB = await createKeyedEndpoint("wl-b");
  const invoked = await asKey(keyB, "batch-endpoints/wl-b/jobs", { input: TRIP_INPUT });
  expect(invoked.status).toBe(202);
  jobB = jobSchema.parse(invoked.body).name;
  expect((await waitForJob(url(`jobs/${jobB}`))).status).toBe("Completed");
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

describe("where an invoker may write", () => {
  it("refuses an output path in the artifact store (another deployment's model) with 400, storing nothing", async () => {
    const deployment = (await registry.deployments.show("wl-b", "taxi-tip-onnx")).resource;
    const model = (await registry.models.show(deployment.model.name, deployment.model.version)).resource;
    expect(model.path).toMatch(/^azureml:\/\/datastores\/workspaceartifactstore\/paths\/sha256\//);
    await expectRefused(
      { input: TRIP_INPUT, output_path: model.path, output_file_name: "model.onnx", overwrite: true },
      400,
      "OutputNotAllowed",
      /workspaceartifactstore/,
    );
  });

  it("refuses a datastore that points at one of batchfn's own containers", async () => {
    await registry.datastores.create({ name: "sneaky", container_name: containers.jobs.containerName });
    await expectRefused(
      { input: TRIP_INPUT, output_path: `azureml://datastores/sneaky/paths/${jobB}/`, overwrite: true },
      400,
      "OutputNotAllowed",
      /sneaky/,
    );
    await registry.datastores.create({
      name: "batchfnoutbox",
      container_name: containers.outbox.containerName,
    });
    await expectRefused(
      { input: TRIP_INPUT, output_path: "azureml://datastores/batchfnoutbox/paths/wl-b/x/" },
      400,
      "OutputNotAllowed",
      /outbox/,
    );
  });

  it("refuses another job's output folder, inside it and around it, even with overwrite: true (409)", async () => {
    const folder = `azureml://datastores/workspaceblobstore/paths/batchfn-outputs/${jobB}/`;
    const predictions = `batchfn-outputs/${jobB}/predictions.csv`;
    const before = await containers.data.getBlobClient(predictions).downloadToBuffer();
    for (const output_path of [
      folder,
      `${folder}sub/`,
      "azureml://datastores/workspaceblobstore/paths/batchfn-outputs/",
    ]) {
      await expectRefused(
        { input: TRIP_INPUT, output_path, overwrite: true },
        409,
        "OutputInUse",
        /another job/,
      );
    }
    expect(await containers.data.getBlobClient(predictions).downloadToBuffer()).toEqual(before);
  });

  it("answers 400 DatastoreNotFound for an unknown output datastore, storing nothing", async () => {
    await expectRefused(
      { input: TRIP_INPUT, output_path: "azureml://datastores/nostore/paths/out/" },
      400,
      "DatastoreNotFound",
      /nostore/,
    );
  });

  it("lets overwrite replace files no job owns, and the folder then belongs to that job", async () => {
    const csv = Buffer.from("hand-made\n");
    await containers.data.getBlockBlobClient("handmade/predictions.csv").upload(csv, csv.length);
    const output_path = "azureml://datastores/workspaceblobstore/paths/handmade/";
    await expectRefused(
      { input: TRIP_INPUT, output_path },
      409,
      "OutputExists",
      /handmade\/predictions\.csv/,
    );
    const invoked = await asKey(keyA, "batch-endpoints/wl-a/jobs", {
      input: TRIP_INPUT,
      output_path,
      overwrite: true,
    });
    expect(invoked.status).toBe(202);
    const job = jobSchema.parse(invoked.body).name;
    expect((await waitForJob(url(`jobs/${job}`))).status).toBe("Completed");
    const rows = (
      await containers.data.getBlobClient("handmade/predictions.csv").downloadToBuffer()
    ).toString();
    expect(rows).toContain("trip.csv");
    const again = await asKey(keyB, "batch-endpoints/wl-b/jobs", {
      input: TRIP_INPUT,
      output_path,
      overwrite: true,
    });
    expect(again.status).toBe(409);
    expect(errorSchema.parse(again.body).error.code).toBe("OutputInUse");
  });
});

describe("artifacts stay immutable", () => {
  it("refuses to read a changed artifact file, naming it, and a re-upload of the same files repairs it", async () => {
    const modelDir = examplePath("taxi-tip", "model");
    const names = ["MLmodel", "metrics.json", "model.onnx", "weights.json"];
    const files = await Promise.all(
      names.map(async (path) => ({ path, content: await readFile(join(modelDir, path)) })),
    );
    const stored = await registry.putArtifact(files);
    const blob = containers.artifacts.getBlockBlobClient(`sha256/${stored.hash}/model.onnx`);
    await blob.upload("not a model", 11);

    const scratch = join(app.env.BATCHFN_WORK_DIR ?? "", "artifact-check");
    await expect(registry.downloadArtifact(stored.uri, `${scratch}-1`)).rejects.toMatchObject({
      code: "CorruptRecord",
      message: expect.stringMatching(/model\.onnx.*sha256.*upload/s),
    });
    const repaired = await registry.putArtifact(files);
    expect(repaired).toMatchObject({ hash: stored.hash, uploaded: 1 });
    const paths = await registry.downloadArtifact(stored.uri, `${scratch}-2`);
    const model = await readFile(paths.find((p) => p.endsWith("model.onnx")) ?? "");
    expect(model.equals(files[2]?.content ?? Buffer.alloc(0))).toBe(true);
  });
});
