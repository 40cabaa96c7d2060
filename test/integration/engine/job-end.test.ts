import { BlobSASPermissions } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { examplePath } from "../examples/example-files.js";

/**
 * The counts of a finished job are one set of numbers: job_summary.json, the job record (what
 * `GET /api/jobs/{job}` shows) and the orchestration's result say the same (issue 12, item 16).
 */

let world: EngineWorld;

beforeAll(async () => {
  world = await engineWorld();
  const options = { registry: world.engine.registry, workDir: world.engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
  await world.upload("counts/", {
    "bad.csv": "fareAmount,paymentType\n1,2\n",
    "good.csv": "fareAmount,paymentType,passengerCount,tripDistance,tripTimeSecs\n25.5,1,1,5.44,3831\n",
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function countsOf(job: string) {
  const summary = JSON.parse(await world.read(`batchfn-outputs/${job}/job_summary.json`));
  const record = await world.engine.records.get(job);
  return { summary, record };
}

describe("one definition of a finished job's counts", () => {
  it("a failed URL job: the summary and the record count the same mini-batches and items", async () => {
    const data = world.clients.blob.getContainerClient(world.config.containers.data);
    const url = await data.getBlobClient("counts/bad.csv").generateSasUrl({
      permissions: BlobSASPermissions.parse("r"),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: { type: "uri_file", path: url }, error_threshold: 0 },
    });
    expect(result.status).toBe("Failed");
    const { summary, record } = await countsOf(spec.name);
    expect(summary.mini_batches).toEqual({ total: 1, succeeded: 0, failed: 1, not_run: 0 });
    expect(record?.progress?.miniBatches).toEqual({ total: 1, succeeded: 0, failed: 1, running: 0 });
    expect(result.progress?.miniBatches).toEqual(record?.progress?.miniBatches);
    expect(summary.items).toMatchObject({ total: 1, succeeded: 0, failed: 1 });
    expect(record?.progress?.items).toEqual({ total: 1, succeeded: 0, failed: 1 });
    expect(record?.progress?.rows).toBe(summary.rows_written);
  });

  it("a mini-batch with one failed item of two is failed in both, and its good rows are counted once", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: "azureml://datastores/workspaceblobstore/paths/counts/", mini_batch_size: 2 },
    });
    expect(result.status).toBe("Completed");
    const { summary, record } = await countsOf(spec.name);
    expect(summary.mini_batches).toEqual({ total: 1, succeeded: 0, failed: 1, not_run: 0 });
    expect(record?.progress).toEqual({
      miniBatches: { total: 1, succeeded: 0, failed: 1, running: 0 },
      items: { total: 2, succeeded: 1, failed: 1 },
      rows: 1,
    });
    expect(summary.items).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(summary.rows_written).toBe(1);
  });
});

describe("a job's failure in the user's terms", () => {
  it("says which input could not be read, not which activity failed", async () => {
    const data = world.clients.blob.getContainerClient(world.config.containers.data);
    const url = data.getBlobClient("counts/good.csv").url;
    const { spec, result } = await world.runJob({
      endpoint: "taxi-tip",
      deployment: "taxi-tip-onnx",
      body: { input: { type: "uri_file", path: url } },
    });
    expect(result.status).toBe("Failed");
    const record = await world.engine.records.get(spec.name);
    const shown = url.replace(/\?.*$/, "");
    expect(record?.message).toBe(`Input '${shown}' answered HTTP 403.`);
    expect(result.message).toBe(record?.message);
  });
});
