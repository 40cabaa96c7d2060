import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpRequest, type HttpResponseInit, InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createInvokeHandler } from "../../../../src/api/jobs/invoke.js";
import { createJobHandlers } from "../../../../src/api/jobs/job-handlers.js";
import { createJobOutputHandlers } from "../../../../src/api/jobs/job-outputs.js";
import type { JobsApiDeps } from "../../../../src/api/jobs/jobs-api-deps.js";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../../src/api/registry/register-from-files.js";
import { jobsApiDeps } from "../../../../src/app/jobs-api.js";
import type { JobRunner } from "../../../../src/jobs/job-runner.js";
import { type EngineWorld, engineWorld } from "../../../support/engine-world.js";
import { examplePath } from "../../examples/example-files.js";

let world: EngineWorld;
let deps: JobsApiDeps;
let starts = 0;
const runner: JobRunner = {
  start: async () => {
    starts += 1;
  },
  status: async () => undefined,
};

const DATA = "azureml://datastores/workspaceblobstore/paths";

beforeAll(async () => {
  world = await engineWorld();
  const { engine } = world;
  const options = { registry: engine.registry, workDir: engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
  const dir = await mkdtemp(join(tmpdir(), "batchfn-named-api-"));
  await writeFile(
    join(dir, "declaring.yml"),
    stringify({
      name: "declaring",
      endpoint_name: "taxi-tip",
      model: "azureml:taxi-tip-model:1",
      inputs: { trips: { type: "uri_folder" }, limit: { type: "integer", default: 3 } },
      outputs: { reports: { type: "uri_folder" } },
      settings: { default_input: "trips" },
    }),
  );
  await registerDeploymentFile(join(dir, "declaring.yml"), options);
  await world.upload("trips/", { "a.csv": "fareAmount\n1\n" });
  await world.upload("full/", { "old.txt": "x" });
  deps = jobsApiDeps(engine, () => runner);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

function call(
  path: string,
  params: Record<string, string>,
  body?: unknown,
  method = "POST",
  headers: Record<string, string> = {},
): HttpRequest {
  return new HttpRequest({
    method,
    url: `http://127.0.0.1:7071/api/${path}`,
    params,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : { string: JSON.stringify(body) },
  });
}

function invoke(body: object, deployment = "declaring"): Promise<HttpResponseInit> {
  return createInvokeHandler(deps)(
    call("batch-endpoints/taxi-tip/jobs", { name: "taxi-tip" }, { ...body, deployment_name: deployment }),
    new InvocationContext(),
  );
}

async function stored(): Promise<{ jobs: number; blobs: string[]; starts: number }> {
  const blobs: string[] = [];
  const jobs = world.engine.jobs;
  if (await jobs.exists()) for await (const blob of jobs.listBlobsFlat()) blobs.push(blob.name);
  return { jobs: (await deps.records.list()).length, blobs: blobs.sort(), starts };
}

function errorOf(response: HttpResponseInit) {
  return (response.jsonBody as { error: { code: string; message: string; details: { path?: string }[] } })
    .error;
}

const trips = { type: "uri_folder", path: `${DATA}/trips/` };

describe("named inputs and outputs at the invocation", () => {
  const bad: Array<[string, object, string, string, number?]> = [
    [
      "an unknown input name",
      { inputs: { trips, colour: { type: "string", default: "red" } } },
      "UnknownInput",
      "inputs.colour",
    ],
    [
      "two default inputs",
      { input: `${DATA}/trips/`, inputs: { trips } },
      "AmbiguousDefaultInput",
      "inputs.trips",
    ],
    [
      "a literal of the wrong type",
      { inputs: { trips, limit: { type: "integer", default: "many" } } },
      "InvalidLiteral",
      "inputs.limit.default",
    ],
    [
      "a REST literal of the wrong type for its declaration",
      {
        properties: {
          InputData: {
            trips: { JobInputType: "UriFolder", Uri: `${DATA}/trips/` },
            limit: { JobInputType: "Literal", Value: "many" },
          },
        },
      },
      "InvalidLiteral",
      "inputs.limit",
    ],
    ["an undeclared output", { inputs: { trips }, outputs: { a: {}, b: {} } }, "UnknownOutput", "outputs.a"],
    [
      "a named output inside the predictions' folder",
      {
        inputs: { trips },
        output_path: `${DATA}/nest/`,
        outputs: { reports: { path: `${DATA}/nest/reports/` } },
      },
      "InvalidParameter",
      "outputs.reports.path",
    ],
    [
      "a named output folder that holds files",
      { inputs: { trips }, outputs: { reports: { path: `${DATA}/full/` } } },
      "OutputExists",
      "",
      409,
    ],
  ];

  it.each(
    bad,
  )("refuses %s with a 4xx and a stable code, and writes nothing", async (_label, body, code, path, status = 400) => {
    const before = await stored();
    const rest = typeof body === "object" && body !== null && "properties" in body;
    const response = rest
      ? await createInvokeHandler(deps)(
          call("batch-endpoints/taxi-tip/jobs", { name: "taxi-tip" }, body, "POST", {
            "azureml-model-deployment": "declaring",
          }),
          new InvocationContext(),
        )
      : await invoke(body);
    expect(response.status).toBe(status);
    const error = errorOf(response);
    expect(error.code).toBe(code);
    if (path) expect(error.details.map((d) => d.path)).toContain(path);
    expect(await stored()).toEqual(before);
  });

  it("two default inputs on a deployment that names none: two data inputs and no default_input", async () => {
    const before = await stored();
    const response = await invoke({ inputs: { a: trips, b: trips } }, "taxi-tip-onnx");
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe("AmbiguousDefaultInput");
    expect(await stored()).toEqual(before);
  });

  it("claims every output folder for the job, shows the inputs and outputs, and serves a named output's files", async () => {
    const response = await invoke({
      job_name: "named-api-1",
      inputs: { trips },
      outputs: { reports: { path: `${DATA}/named-api-1-reports/` } },
    });
    expect(response.status).toBe(202);
    const again = await invoke({
      inputs: { trips },
      output_path: `${DATA}/elsewhere/`,
      outputs: { reports: { path: `${DATA}/named-api-1-reports/inner/` } },
    });
    expect([again.status, errorOf(again).code]).toEqual([409, "OutputInUse"]);

    const show = await createJobHandlers(deps).show(
      call("jobs/named-api-1", { job: "named-api-1" }, undefined, "GET"),
      new InvocationContext(),
    );
    expect(show.jsonBody).toMatchObject({
      input: `${DATA}/trips/`,
      input_name: "trips",
      inputs: { limit: { type: "integer", value: 3 } },
      named_outputs: { reports: `${DATA}/named-api-1-reports/` },
    });

    await world.upload("named-api-1-reports/", { "r/1.txt": "one" });
    const { list, download } = createJobOutputHandlers(deps);
    const listed = await list(
      call("jobs/named-api-1/outputs?name=reports", { job: "named-api-1" }, undefined, "GET"),
      new InvocationContext(),
    );
    const files = (listed.jsonBody as { value: { name: string; download_url: string }[] }).value;
    expect(files.map((f) => [f.name, f.download_url])).toEqual([
      ["r/1.txt", "http://127.0.0.1:7071/api/jobs/named-api-1/outputs/r/1.txt?name=reports"],
    ]);
    const file = await download(
      call(
        "jobs/named-api-1/outputs/r/1.txt?name=reports",
        { job: "named-api-1", path: "r/1.txt" },
        undefined,
        "GET",
      ),
      new InvocationContext(),
    );
    expect(file.status).toBe(200);
    const unknown = await list(
      call("jobs/named-api-1/outputs?name=charts", { job: "named-api-1" }, undefined, "GET"),
      new InvocationContext(),
    );
    expect([unknown.status, errorOf(unknown).code]).toEqual([400, "UnknownOutput"]);
    expect(errorOf(unknown).message).toContain("it has: score, reports");
  });
});
