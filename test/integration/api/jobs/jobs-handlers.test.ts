import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HttpRequest, type HttpResponseInit, InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvokeHandler } from "../../../../src/api/jobs/invoke.js";
import { createJobHandlers } from "../../../../src/api/jobs/job-handlers.js";
import { createJobLogsHandler } from "../../../../src/api/jobs/job-logs.js";
import { createJobOutputHandlers } from "../../../../src/api/jobs/job-outputs.js";
import type { JobsApiDeps } from "../../../../src/api/jobs/jobs-api-deps.js";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../../src/api/registry/register-from-files.js";
import { jobsApiDeps } from "../../../../src/app/jobs-api.js";
import type { JobRunner } from "../../../../src/jobs/job-runner.js";
import type { ScoringJobInput } from "../../../../src/jobs/orchestration/contract.js";
import { MINI_BATCHES_PER_WORKER } from "../../../../src/jobs/submit-job.js";
import { type EngineWorld, engineWorld } from "../../../support/engine-world.js";
import { examplePath } from "../../examples/example-files.js";

let world: EngineWorld;
let deps: JobsApiDeps;
const started: ScoringJobInput[] = [];

/** The Durable port, recording starts: these tests check what the API decides, not the orchestration. */
const recordingRunner: JobRunner = {
  start: async (input) => {
    started.push(input);
  },
  status: async () => undefined,
};

beforeAll(async () => {
  world = await engineWorld();
  const { engine } = world;
  const options = { registry: engine.registry, workDir: engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
  await engine.registry.endpoints.create({ name: "no-default" });
  await world.upload("taxi/", { "a.csv": "fareAmount\n1\n" });
  await world.upload("taken/", { "predictions.csv": "old\n" });
  deps = jobsApiDeps(engine, () => recordingRunner);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

interface Call {
  method?: string;
  path: string;
  params?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
}

function request(call: Call): HttpRequest {
  return new HttpRequest({
    method: call.method ?? "POST",
    url: `http://127.0.0.1:7071/api/${call.path}`,
    params: call.params ?? {},
    headers: { "content-type": "application/json", ...call.headers },
    body: call.body === undefined ? undefined : { string: call.body },
  });
}

async function invoke(
  body: string,
  headers: Record<string, string> = {},
  endpoint = "taxi-tip",
): Promise<HttpResponseInit> {
  const handler = createInvokeHandler(deps);
  return handler(
    request({ path: `batch-endpoints/${endpoint}/jobs`, params: { name: endpoint }, body, headers }),
    new InvocationContext(),
  );
}

async function stored(): Promise<{ jobs: number; blobs: number; starts: number }> {
  const jobs = (await deps.records.list()).length;
  let blobs = 0;
  if (await world.engine.jobs.exists()) for await (const _ of world.engine.jobs.listBlobsFlat()) blobs += 1;
  return { jobs, blobs, starts: started.length };
}

function errorOf(response: HttpResponseInit): { code: string; message: string } {
  return (response.jsonBody as { error: { code: string; message: string } }).error;
}

const input = "azureml://datastores/workspaceblobstore/paths/taxi/";

describe("POST /api/batch-endpoints/{name}/jobs", () => {
  it("starts one job, and answers a repeat with the same job_name with that job", async () => {
    const body = JSON.stringify({
      input,
      job_name: "handler-job-1",
      output_path: "azureml://datastores/workspaceblobstore/paths/h1/",
    });
    const first = await invoke(body);
    expect(first.status).toBe(202);
    expect(first.headers).toMatchObject({ location: "http://127.0.0.1:7071/api/jobs/handler-job-1" });
    // one instance × max_concurrency_per_instance 2 × MINI_BATCHES_PER_WORKER
    const window = 2 * MINI_BATCHES_PER_WORKER;
    expect(started.at(-1)).toMatchObject({ jobName: "handler-job-1", window, errorThreshold: -1 });
    const before = started.length;
    const again = await invoke(body);
    expect(again.status).toBe(200);
    expect((again.jsonBody as { name: string }).name).toBe("handler-job-1");
    expect(started.length).toBe(before);
  });

  const bad: Array<[string, string, Record<string, string>, number, string, string?]> = [
    ["malformed JSON", "{input:", {}, 400, "InvalidJson"],
    ["a text body", "input=x", { "content-type": "text/plain" }, 415, "UnsupportedMediaType"],
    ["an empty body", "", {}, 400, "EmptyBody"],
    ["a body over 1 MB", JSON.stringify({ input, pad: "x".repeat(1_100_000) }), {}, 413, "PayloadTooLarge"],
    ["no input", JSON.stringify({ mini_batch_size: 2 }), {}, 400, "InvalidSpec"],
    ["a local path", JSON.stringify({ input: "./data" }), {}, 400, "InvalidSpec"],
    ["mini_batch_size 0", JSON.stringify({ input, mini_batch_size: 0 }), {}, 400, "InvalidSpec"],
    ["an unknown key", JSON.stringify({ input, minibatch: 2 }), {}, 400, "InvalidSpec"],
    ["error_threshold -2", JSON.stringify({ input, error_threshold: -2 }), {}, 400, "InvalidSpec"],
    ["a bad job_name", JSON.stringify({ input, job_name: "a b" }), {}, 400, "InvalidSpec"],
    [
      "an unknown deployment",
      JSON.stringify({ input }),
      { "azureml-model-deployment": "nope" },
      404,
      "NotFound",
    ],
    ["an unknown deployment_name", JSON.stringify({ input, deployment_name: "nope" }), {}, 404, "NotFound"],
    [
      "an output that exists",
      JSON.stringify({ input, output_path: "azureml://datastores/workspaceblobstore/paths/taken/" }),
      {},
      409,
      "OutputExists",
    ],
    [
      "an unknown output datastore",
      JSON.stringify({ input, output_path: "azureml://datastores/nostore/paths/x/" }),
      {},
      400,
      "DatastoreNotFound",
    ],
    [
      "an output path with ..",
      JSON.stringify({ input, output_path: "azureml://datastores/workspaceblobstore/paths/a/../b/" }),
      {},
      400,
      "InvalidInput",
    ],
    [
      "an Idempotency-Key over 200 characters",
      JSON.stringify({ input }),
      { "idempotency-key": "k".repeat(201) },
      400,
      "InvalidParameter",
    ],
    ["an Azure ML body without a dataset", JSON.stringify({ properties: {} }), {}, 400, "InvalidSpec"],
  ];

  it.each(bad)("refuses %s and writes nothing", async (_label, body, headers, status, code) => {
    const before = await stored();
    const response = await invoke(body, headers);
    expect(response.status).toBe(status);
    expect(errorOf(response).code).toBe(code);
    expect(await stored()).toEqual(before);
  });

  it("refuses an unknown endpoint and an endpoint without a default deployment", async () => {
    const before = await stored();
    const unknown = await invoke(JSON.stringify({ input }), {}, "ghost");
    expect([unknown.status, errorOf(unknown).code]).toEqual([404, "NotFound"]);
    const noDefault = await invoke(JSON.stringify({ input }), {}, "no-default");
    expect([noDefault.status, errorOf(noDefault).code]).toEqual([400, "NoDefaultDeployment"]);
    expect(errorOf(noDefault).message).toContain("azureml-model-deployment");
    expect(await stored()).toEqual(before);
  });
});

describe("POST /api/batch-endpoints/{name}/jobs: output formats the model cannot fill", () => {
  const half = "test/fixtures/models/float16-output";

  async function deploymentFile(name: string, settings: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "batchfn-half-"));
    const file = join(dir, "deployment.yml");
    await writeFile(
      file,
      `name: ${name}\nendpoint_name: half\nmodel: {name: half-model, version: 1, path: ${resolve(half)}}\nsettings: {${settings}}\n`,
    );
    return file;
  }

  beforeAll(async () => {
    await world.engine.registry.endpoints.create({ name: "half" });
    const options = { registry: world.engine.registry, workDir: world.engine.workDir };
    await registerDeploymentFile(await deploymentFile("half-csv", "output_format: csv"), options);
  });

  it("refuses a deployment writing Parquet from a float16 output, naming the output, and stores nothing", async () => {
    const options = { registry: world.engine.registry, workDir: world.engine.workDir };
    const error = await registerDeploymentFile(
      await deploymentFile("half-parquet", "output_format: parquet"),
      options,
    ).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      code: "UnsupportedOutputType",
      status: 400,
      message: expect.stringContaining("output 'half' is of type float16"),
    });
    await expect(world.engine.registry.deployments.show("half", "half-parquet")).rejects.toMatchObject({
      code: "NotFound",
    });
  });

  it("refuses an invocation asking that deployment for Parquet, and writes nothing", async () => {
    const before = await stored();
    const response = await invoke(JSON.stringify({ input, output_format: "parquet" }), {}, "half");
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({
      code: "UnsupportedOutputType",
      message: expect.stringContaining("float16"),
    });
    expect(await stored()).toEqual(before);
    const jsonl = await invoke(
      JSON.stringify({
        input,
        output_format: "jsonl",
        output_path: "azureml://datastores/workspaceblobstore/paths/half-jsonl/",
      }),
      {},
      "half",
    );
    expect(jsonl.status).toBe(202);
  });
});

describe("POST /api/batch-endpoints/{name}/jobs: the bounds of the settings that size resources", () => {
  const limits = () => world.engine.registry.limits;
  beforeAll(async () => {
    const { registry } = world.engine;
    const taxi = (await registry.deployments.show("taxi-tip", "taxi-tip-onnx")).resource;
    await registry.endpoints.create({ name: "bounded" });
    await registry.deployments.create({ ...taxi, endpoint_name: "bounded", name: "narrow" });
    // stored as a deployment created before the bounds existed (or on a bigger host) would be
    await registry.deployments.create({
      ...taxi,
      endpoint_name: "bounded",
      name: "too-wide",
      settings: { ...taxi.settings, max_concurrency_per_instance: 100_000 },
    });
  });
  const refusedWithLimit = async (body: Record<string, unknown>, fields: string[]) => {
    const before = await stored();
    const response = await invoke(JSON.stringify({ input, ...body }), {}, "bounded");
    const error = errorOf(response) as { code: string; message: string; details: { path: string }[] };
    expect([response.status, error.code], error.message).toEqual([400, "LimitExceeded"]);
    expect(error.details.map((d) => d.path)).toEqual(fields);
    expect(await stored()).toEqual(before);
    return error;
  };

  it("refuses instance_count 100000000 with max_concurrency_per_instance 100000, naming both bounds", async () => {
    const error = await refusedWithLimit(
      { instance_count: 100_000_000, max_concurrency_per_instance: 100_000 },
      ["instance_count", "max_concurrency_per_instance"],
    );
    expect(error.message).toContain(`instance_count is 100000000; at most ${limits().instance_count}`);
    expect(error.message).toContain(
      `max_concurrency_per_instance is 100000; at most ${limits().max_concurrency_per_instance}`,
    );
  });

  it.each([
    [
      "retry_settings.timeout 2147484 (past what a timer holds)",
      { retry_settings: { timeout: 2_147_484 } },
      "retry_settings.timeout",
    ],
    ["retry_settings.timeout 1e12", { retry_settings: { timeout: 1e12 } }, "retry_settings.timeout"],
    [
      "retry_settings.max_retries 1000000",
      { retry_settings: { max_retries: 1_000_000 } },
      "retry_settings.max_retries",
    ],
    ["mini_batch_size 1e9", { mini_batch_size: 1e9 }, "mini_batch_size"],
    ["mini_batch_rows 1e12", { mini_batch_rows: 1e12 }, "mini_batch_rows"],
  ])("refuses %s", async (_label, body, field) => {
    await refusedWithLimit(body, [field]);
  });

  it("refuses a worker_memory_mb above this host's memory", async () => {
    const bound = limits().worker_memory_mb;
    const error = await refusedWithLimit({ worker_memory_mb: bound + 1 }, ["worker_memory_mb"]);
    expect(error.message).toContain(`worker_memory_mb is ${bound + 1}; at most ${bound} MB`);
  });

  it("accepts every setting at its bound", async () => {
    const l = limits();
    const response = await invoke(
      JSON.stringify({
        input,
        job_name: "at-the-bounds",
        output_path: "azureml://datastores/workspaceblobstore/paths/bounds/",
        instance_count: l.instance_count,
        max_concurrency_per_instance: l.max_concurrency_per_instance,
        mini_batch_size: l.mini_batch_size,
        mini_batch_rows: l.mini_batch_rows,
        retry_settings: { max_retries: l.max_retries, timeout: l.timeout },
        worker_memory_mb: l.worker_memory_mb,
      }),
      {},
      "bounded",
    );
    expect(response.status).toBe(202);
  });

  it("refuses to run a deployment stored with settings above the bounds, naming its field", async () => {
    const before = await stored();
    const response = await invoke(JSON.stringify({ input, deployment_name: "too-wide" }), {}, "bounded");
    const error = errorOf(response);
    expect([response.status, error.code]).toEqual([400, "LimitExceeded"]);
    expect(error.message).toContain("batch deployment 'bounded/too-wide'");
    expect(error.message).toContain("settings.max_concurrency_per_instance is 100000");
    expect(await stored()).toEqual(before);
    const overridden = await invoke(
      JSON.stringify({
        input,
        deployment_name: "too-wide",
        max_concurrency_per_instance: 1,
        output_path: "azureml://datastores/workspaceblobstore/paths/narrowed/",
      }),
      {},
      "bounded",
    );
    expect(overridden.status).toBe(202);
  });
});

describe("POST /api/batch-endpoints/{name}/jobs: bad names and paths", () => {
  const output = "azureml://datastores/workspaceblobstore/paths/names/";
  const refused = async (response: HttpResponseInit, status: number, code: string) => {
    const error = errorOf(response);
    expect([response.status, error.code], error.message).toEqual([status, code]);
    return error;
  };

  it.each([
    [
      "a '/' in the azureml-model-deployment header",
      { input },
      { "azureml-model-deployment": "a/b" },
      "InvalidParameter",
    ],
    ["a '/' in deployment_name", { input, deployment_name: "a/b" }, {}, "InvalidSpec"],
    ["a NUL in the input", { input: `${input}a\u0000b.csv` }, {}, "InvalidSpec"],
    ["a NUL in output_path", { input, output_path: `${output}x\u0000/` }, {}, "InvalidSpec"],
    ["a NUL in output_file_name", { input, output_file_name: "p\u0000.csv" }, {}, "InvalidSpec"],
    ["an output_file_name of one space", { input, output_file_name: " " }, {}, "InvalidSpec"],
    [
      "an output_file_name of 1,100 characters",
      { input, output_file_name: `${"p".repeat(1096)}.csv` },
      {},
      "InvalidSpec",
    ],
    ["output_file_name errors.jsonl", { input, output_file_name: "errors.jsonl" }, {}, "InvalidSpec"],
    ["output_file_name job_summary.json", { input, output_file_name: "job_summary.json" }, {}, "InvalidSpec"],
    [
      "output_file_name errors-00001.jsonl",
      { input, output_file_name: "errors-00001.jsonl" },
      {},
      "InvalidSpec",
    ],
    [
      "an Azure ML UriFile output named errors.jsonl",
      {
        properties: {
          InputData: { d: { JobInputType: "UriFolder", Uri: input } },
          OutputData: { o: { JobOutputType: "UriFile", Uri: `${output}errors.jsonl` } },
        },
      },
      {},
      "InvalidSpec",
    ],
  ])("refuses %s and writes nothing", async (_label, body, headers, code) => {
    const before = await stored();
    await refused(await invoke(JSON.stringify(body), headers), 400, code);
    expect(await stored()).toEqual(before);
  });

  it("refuses a __proto__ key anywhere in the body, naming where, and writes nothing", async () => {
    const before = await stored();
    const body = `{"input": "${input}", "retry_settings": {"__proto__": {"timeout": 1}}}`;
    const error = await refused(await invoke(body), 400, "ForbiddenKey");
    expect(error.message).toContain("retry_settings.__proto__");
    await refused(
      await invoke(`{"__proto__": {"deployment_name": "x"}, "input": "${input}"}`),
      400,
      "ForbiddenKey",
    );
    expect(await stored()).toEqual(before);
  });

  it("refuses a body that is not UTF-8 instead of storing U+FFFD, and writes nothing", async () => {
    const before = await stored();
    const bytes = Buffer.concat([
      Buffer.from(`{"input": "${input}", "output_path": "${output}`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('/"}'),
    ]);
    const response = await createInvokeHandler(deps)(
      new HttpRequest({
        method: "POST",
        url: "http://127.0.0.1:7071/api/batch-endpoints/taxi-tip/jobs",
        params: { name: "taxi-tip" },
        headers: { "content-type": "application/json" },
        body: { bytes },
      }),
      new InvocationContext(),
    );
    await refused(response, 400, "InvalidEncoding");
    expect(await stored()).toEqual(before);
  });
});

describe("job reads", () => {
  const context = () => new InvocationContext();
  const get = (path: string, params: Record<string, string>) => request({ method: "GET", path, params });

  it.each([
    ["an unknown job", "jobs/ghost", { job: "ghost" }, "show", 404, "NotFound"],
    ["an unknown status filter", "jobs?status=Bogus", {}, "list", 400, "InvalidParameter"],
    ["top=0", "jobs?top=0", {}, "list", 400, "InvalidParameter"],
    ["skip=-1", "jobs?skip=-1", {}, "list", 400, "InvalidParameter"],
    ["a '/' in the job name", "jobs/a%2fb", { job: "a/b" }, "show", 400, "InvalidParameter"],
    [
      "a '/' in the job name to cancel",
      "jobs/a%2fb/cancel",
      { job: "a/b" },
      "cancel",
      400,
      "InvalidParameter",
    ],
  ] as const)("answers %s with a clear error", async (_label, path, params, which, status, code) => {
    const handlers = createJobHandlers(deps);
    const response = await handlers[which](get(path, params), context());
    expect([response.status, errorOf(response).code]).toEqual([status, code]);
  });

  it("refuses to cancel an unknown job, and logs of an unknown job or from a bad offset", async () => {
    const cancel = await createJobHandlers(deps).cancel(
      request({ path: "jobs/ghost/cancel", params: { job: "ghost" } }),
      context(),
    );
    expect([cancel.status, errorOf(cancel).code]).toEqual([404, "NotFound"]);
    const logs = createJobLogsHandler(deps);
    const unknown = await logs(get("jobs/ghost/logs", { job: "ghost" }), context());
    expect([unknown.status, errorOf(unknown).code]).toEqual([404, "NotFound"]);
    const badOffset = await logs(get("jobs/handler-job-1/logs?from=-1", { job: "handler-job-1" }), context());
    expect([badOffset.status, errorOf(badOffset).code]).toEqual([400, "InvalidParameter"]);
  });

  it("refuses output paths that leave the job's folder, and files that do not exist", async () => {
    const { download } = createJobOutputHandlers(deps);
    const outside = await download(
      get("jobs/handler-job-1/outputs/../x", { job: "handler-job-1", path: "../x" }),
      context(),
    );
    expect([outside.status, errorOf(outside).code]).toEqual([400, "InvalidParameter"]);
    const missing = await download(
      get("jobs/handler-job-1/outputs/nope.csv", { job: "handler-job-1", path: "nope.csv" }),
      context(),
    );
    expect([missing.status, errorOf(missing).code]).toEqual([404, "NotFound"]);
  });

  it("lists jobs by endpoint and status, in pages", async () => {
    for (const name of ["handler-job-2", "handler-job-3"]) {
      await invoke(
        JSON.stringify({
          input,
          job_name: name,
          output_path: `azureml://datastores/workspaceblobstore/paths/${name}/`,
        }),
      );
    }
    const { list } = createJobHandlers(deps);
    const page = await list(get("jobs?endpoint=taxi-tip&status=NotStarted&top=2", {}), context());
    const body = page.jsonBody as { value: Array<{ name: string }>; nextLink?: string };
    expect(body.value).toHaveLength(2);
    expect(body.nextLink).toContain("skip=2");
    const rest = await list(get(`jobs?endpoint=taxi-tip&status=NotStarted&top=2&skip=2`, {}), context());
    const names = [...body.value, ...(rest.jsonBody as { value: Array<{ name: string }> }).value].map(
      (j) => j.name,
    );
    expect(names.sort()).toEqual(["handler-job-1", "handler-job-2", "handler-job-3"]);
  });

  it("shows the settings and model a job runs with: the deployment's, with the invocation's overrides", async () => {
    const invoked = await invoke(
      JSON.stringify({
        input,
        job_name: "handler-job-settings",
        output_path: "azureml://datastores/workspaceblobstore/paths/h-settings/",
        mini_batch_size: 7,
        instance_count: 2,
      }),
    );
    expect(invoked.status).toBe(202);
    const shown = await createJobHandlers(deps).show(
      request({ method: "GET", path: "jobs/handler-job-settings", params: { job: "handler-job-settings" } }),
      new InvocationContext(),
    );
    expect(shown.status).toBe(200);
    expect(shown.jsonBody).toMatchObject({
      settings: { mini_batch_size: 7, max_concurrency_per_instance: 2, instance_count: 2 },
      model: { name: "taxi-tip-model", version: "1" },
    });
  });
});
