import { HttpRequest, type HttpResponseInit, InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvokeHandler } from "../../../../src/api/jobs/invoke.js";
import { createJobHandlers } from "../../../../src/api/jobs/job-handlers.js";
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

/** The Durable port does nothing: these tests check what the API stores and lists. */
const idleRunner: JobRunner = { start: async () => {}, status: async () => undefined };

beforeAll(async () => {
  world = await engineWorld();
  const { engine } = world;
  const options = { registry: engine.registry, workDir: engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
  await world.upload("taxi/", { "a.csv": "fareAmount\n1\n" });
  deps = jobsApiDeps(engine, () => idleRunner);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const input = "azureml://datastores/workspaceblobstore/paths/taxi/";

function request(method: string, path: string, params: Record<string, string>, body?: string): HttpRequest {
  return new HttpRequest({
    method,
    url: `http://127.0.0.1:7071/api/${path}`,
    params,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : { string: body },
  });
}

async function invoke(fields: Record<string, unknown>): Promise<HttpResponseInit> {
  const body = JSON.stringify({ input, ...fields });
  return createInvokeHandler(deps)(
    request("POST", "batch-endpoints/taxi-tip/jobs", { name: "taxi-tip" }, body),
    new InvocationContext(),
  );
}

async function listNames(query: string): Promise<string[]> {
  const response = await createJobHandlers(deps).list(
    request("GET", `jobs?${query}`, {}),
    new InvocationContext(),
  );
  expect(response.status).toBe(200);
  return (response.jsonBody as { value: Array<{ name: string }> }).value.map((j) => j.name).sort();
}

function errorOf(response: HttpResponseInit): { code: string; message: string } {
  return (response.jsonBody as { error: { code: string; message: string } }).error;
}

const output = (name: string) => `azureml://datastores/workspaceblobstore/paths/${name}/`;

describe("job labels: display_name, experiment_name, tags", () => {
  beforeAll(async () => {
    const jobs: Array<[string, Record<string, unknown>]> = [
      [
        "labels-a",
        { display_name: "Nightly run", experiment_name: "nightly", tags: { team: "ml", env: "prod" } },
      ],
      ["labels-b", { experiment_name: "nightly", tags: { team: "data" } }],
      ["labels-c", {}],
    ];
    for (const [name, labels] of jobs) {
      const answer = await invoke({ job_name: name, output_path: output(name), ...labels });
      expect(answer.status).toBe(202);
    }
  });

  it("stores the labels with the job and shows them; a job without labels shows its defaults", async () => {
    const show = createJobHandlers(deps).show;
    const a = await show(request("GET", "jobs/labels-a", { job: "labels-a" }), new InvocationContext());
    expect(a.jsonBody).toMatchObject({
      display_name: "Nightly run",
      experiment_name: "nightly",
      tags: { team: "ml", env: "prod" },
    });
    const c = await show(request("GET", "jobs/labels-c", { job: "labels-c" }), new InvocationContext());
    expect(c.jsonBody).toMatchObject({ display_name: "labels-c", experiment_name: "taxi-tip", tags: {} });
  });

  it("filters the list by experiment_name, tag key, tag key=value and deployment", async () => {
    expect(await listNames("experiment_name=nightly")).toEqual(["labels-a", "labels-b"]);
    expect(await listNames("experiment_name=taxi-tip")).toEqual(["labels-c"]);
    expect(await listNames("tag=team")).toEqual(["labels-a", "labels-b"]);
    expect(await listNames("tag=team=ml")).toEqual(["labels-a"]);
    expect(await listNames("tag=team&tag=env=prod")).toEqual(["labels-a"]);
    expect(await listNames("tag=team=nobody")).toEqual([]);
    expect(await listNames("endpoint=taxi-tip&deployment=taxi-tip-onnx")).toEqual([
      "labels-a",
      "labels-b",
      "labels-c",
    ]);
    expect(await listNames("deployment=other")).toEqual([]);
  });

  it.each([
    ["a display name over 256 characters", { display_name: "x".repeat(257) }],
    ["an empty display name", { display_name: "" }],
    ["an experiment name with a space", { experiment_name: "my run" }],
    ["tags that are not an object", { tags: ["team=ml"] }],
    ["a tag value that is not a string", { tags: { team: 1 } }],
    ["an empty tag key", { tags: { "": "x" } }],
    ["more than 50 tags", { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }],
  ])("refuses %s with 400 InvalidSpec and stores nothing", async (_label, labels) => {
    const before = (await deps.records.list()).length;
    const answer = await invoke({ job_name: "labels-bad", output_path: output("labels-bad"), ...labels });
    expect([answer.status, errorOf(answer).code]).toEqual([400, "InvalidSpec"]);
    expect((await deps.records.list()).length).toBe(before);
  });

  it.each([
    ["an empty tag key", "tag==x"],
    ["a bad experiment_name", "experiment_name=a%20b"],
    ["a bad deployment name", "deployment=a%2fb"],
  ])("refuses a list filter with %s as InvalidParameter", async (_label, query) => {
    const response = await createJobHandlers(deps).list(
      request("GET", `jobs?${query}`, {}),
      new InvocationContext(),
    );
    expect([response.status, errorOf(response).code]).toEqual([400, "InvalidParameter"]);
  });
});
