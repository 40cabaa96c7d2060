import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call } from "../../support/app-client.js";
import { type AppProcess, startAppProcess } from "../../support/app-process.js";
import { deployTaxi, TRIP_INPUT } from "./deployment-fixture.js";

let app: AppProcess;
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

beforeAll(async () => {
  app = await startAppProcess();
  const created = await call(`${app.url}/api/batch-endpoints/guarded`, { method: "PUT", body: {} });
  expect(created.status).toBe(201);
  await deployTaxi(app.env, ["guarded"]);
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

/** Invokes the endpoint as the admin and returns the refusal; the job must not start. */
async function refused(
  body: Record<string, unknown>,
): Promise<{ status: number; code: string; message: string }> {
  const answer = await call(`${app.url}/api/batch-endpoints/guarded/jobs`, { body });
  const { error } = errorSchema.parse(answer.body);
  return { status: answer.status, code: error.code, message: error.message };
}

describe("invoke refuses unsafe inputs and outputs with 400 before any job starts", () => {
  it.each([
    ["https://127.0.0.1/data.csv", "loopback"],
    ["https://10.0.0.8/data.csv", "private (10.0.0.0/8)"],
    ["https://[::1]/data.csv", "loopback"],
    ["http://169.254.169.254/latest/meta-data/", "https"],
    ["https://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://localhost/data.csv", "loopback"],
    ["http://example.com/data.csv", "must be an https URL"],
    ["azureml://datastores/workspaceblobstore/paths/../secrets/", "'..'"],
  ])("input %s", async (input, words) => {
    const answer = await refused({ input });
    expect({ status: answer.status, code: answer.code }).toEqual({ status: 400, code: "InvalidInput" });
    expect(answer.message).toContain(words);
  });

  it("the Azure ML DataUrl body is checked the same way", async () => {
    const answer = await refused({
      properties: {
        dataset: { dataInputType: "DataUrl", Path: "https://169.254.169.254/metadata/instance" },
      },
    });
    expect({ status: answer.status, code: answer.code }).toEqual({ status: 400, code: "InvalidInput" });
  });

  it("output paths with '..' or an absolute path", async () => {
    for (const output_path of [
      "azureml://datastores/workspaceblobstore/paths/out/../../elsewhere/",
      "azureml://datastores/workspaceblobstore/paths//etc/",
    ]) {
      const answer = await refused({
        input: TRIP_INPUT,
        output_path,
      });
      expect({ status: answer.status, code: answer.code }, output_path).toEqual({
        status: 400,
        code: "InvalidInput",
      });
    }
  });

  it("an output on a datastore that is not registered", async () => {
    const answer = await refused({
      input: TRIP_INPUT,
      output_path: "azureml://datastores/unregistered/paths/out/",
    });
    expect({ status: answer.status, code: answer.code }).toEqual({ status: 400, code: "DatastoreNotFound" });
  });

  it.each([
    ["https://127.0.0.1/data.csv", "loopback"],
    ["https://169.254.169.254/metadata/instance", "link-local"],
  ])("a data asset pointing at %s, like the planner would, storing no job", async (path, words) => {
    const config = loadConfig(app.env);
    const registry = createRegistry({ clients: createStorageClients(config.storage), config });
    const name = `unsafe-${words.replace(/[^a-z]/g, "")}`;
    await registry.data.create({ name, version: "1", type: "uri_file", path });
    const before = await call<{ value: unknown[] }>(`${app.url}/api/jobs?top=1000`);
    const answer = await refused({ input: `azureml:${name}:1` });
    expect({ status: answer.status, code: answer.code }).toEqual({ status: 400, code: "InvalidInput" });
    expect(answer.message).toContain(words);
    expect(answer.message).toContain(name);
    const after = await call<{ value: unknown[] }>(`${app.url}/api/jobs?top=1000`);
    expect(after.body.value).toHaveLength(before.body.value.length);
  });
});
