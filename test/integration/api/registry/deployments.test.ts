import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type ApiWorld, apiWorld, expectRefused, items } from "./api-fixture.js";

let world: ApiWorld;
let code: string;
let onnxModel: string;

beforeAll(async () => {
  world = await apiWorld();
  code = await world.artifact("scripts/echo-js");
  onnxModel = await world.artifact("models/mlflow-tensor");
  await world.registry.models.create({ name: "m", version: "1", type: "mlflow_model", path: onnxModel });
  await world.registry.models.create({ name: "m", version: "2", type: "mlflow_model", path: onnxModel });
});

afterAll(async () => {
  await world?.close();
});

const script = (extra: Record<string, unknown> = {}) => ({
  model: "azureml:m:1",
  code_configuration: { code, scoring_script: "score.js" },
  ...extra,
});

async function newEndpoint(name: string, deployments: string[] = []): Promise<void> {
  expect((await world.call("PUT", `batch-endpoints/${name}`, { body: {} })).status).toBe(201);
  for (const deployment of deployments) {
    const response = await world.call("PUT", `batch-endpoints/${name}/deployments/${deployment}`, {
      body: script(),
    });
    expect(response.status).toBe(201);
  }
}

describe("batch deployments: happy paths", () => {
  it("creates a script deployment (names from the URL), the endpoint's first becoming its default", async () => {
    await newEndpoint("dep-create");
    const created = await world.call("PUT", "batch-endpoints/dep-create/deployments/blue", {
      body: script(),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "blue",
      endpoint_name: "dep-create",
      model: { name: "m", version: "1" },
      code_configuration: { code, scoring_script: "score.js" },
      settings: { mini_batch_size: 10, retry_settings: { max_retries: 3, timeout: 30 } },
      id: "/batch-endpoints/dep-create/deployments/blue",
      provisioning_state: "Succeeded",
      warnings: [],
    });
    const shown = await world.call("GET", "batch-endpoints/dep-create/deployments/blue");
    expect(shown.status).toBe(200);
    expect(shown.headers.etag).toBe(created.headers.etag);
    expect((await world.call("GET", "batch-endpoints/dep-create")).body.defaults).toEqual({
      deployment_name: "blue",
    });
  });

  it("creates a no-code ONNX deployment with an inline model and makes it the default with ?set_default=true", async () => {
    await newEndpoint("dep-onnx", ["blue"]);
    const created = await world.call("PUT", "batch-endpoints/dep-onnx/deployments/onnx?set_default=true", {
      body: { model: { name: "inline-model", version: 3, type: "mlflow_model", path: onnxModel } },
    });
    expect(created.status).toBe(201);
    expect(created.body.model).toEqual({ name: "inline-model", version: "3" });
    expect((await world.registry.models.show("inline-model", "3")).resource.path).toBe(onnxModel);
    expect((await world.call("GET", "batch-endpoints/dep-onnx")).body.defaults).toEqual({
      deployment_name: "onnx",
    });
  });

  it("replaces a deployment from a 2021 YAML document under If-Match", async () => {
    await newEndpoint("dep-replace", ["blue"]);
    const before = await world.call("GET", "batch-endpoints/dep-replace/deployments/blue");
    const document = stringify({
      name: "blue",
      endpoint_name: "dep-replace",
      model: "azureml:m:2",
      code_configuration: { code: { local_path: code }, scoring_script: "score.js" },
      mini_batch_size: 4,
      compute: { instance_count: 3 },
    });
    const replaced = await world.call("PUT", "batch-endpoints/dep-replace/deployments/blue", {
      body: document,
      contentType: "application/x-yaml",
      headers: { "if-match": before.headers.etag ?? "" },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      model: { name: "m", version: "2" },
      settings: { mini_batch_size: 4 },
      resources: { instance_count: 3 },
      created_at: before.body.created_at,
    });
    expect(replaced.headers.etag).not.toBe(before.headers.etag);
  });

  it("returns warnings for accepted-not-used keys and takes a shown deployment back as it is", async () => {
    await newEndpoint("dep-warn");
    const created = await world.call("PUT", "batch-endpoints/dep-warn/deployments/blue", {
      body: script({ environment: { conda_file: "conda.yaml", image: "mcr.microsoft.com/x" } }),
    });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([expect.stringMatching(/^environment: accepted, not used/)]);
    expect(created.body.accepted_not_used).toEqual({
      environment: { conda_file: "conda.yaml", image: "mcr.microsoft.com/x" },
    });
    const shown = await world.call("GET", "batch-endpoints/dep-warn/deployments/blue");
    const again = await world.call("PUT", "batch-endpoints/dep-warn/deployments/blue", { body: shown.body });
    expect(again.status).toBe(200);
    expect(again.body.accepted_not_used).toEqual(shown.body.accepted_not_used);
  });

  it("resolves azureml:<model>@latest to the newest version", async () => {
    await newEndpoint("dep-latest");
    const created = await world.call("PUT", "batch-endpoints/dep-latest/deployments/blue", {
      body: script({ model: "azureml:m@latest" }),
    });
    expect(created.body.model).toEqual({ name: "m", version: "2" });
  });

  it("lists deployments and deletes one that is not the default", async () => {
    await newEndpoint("dep-list", ["blue", "green"]);
    const listed = await world.call("GET", "batch-endpoints/dep-list/deployments");
    expect(items(listed).map((d) => d.name)).toEqual(["blue", "green"]);
    expect(items(listed).map((d) => d.id)).toEqual([
      "/batch-endpoints/dep-list/deployments/blue",
      "/batch-endpoints/dep-list/deployments/green",
    ]);
    expect((await world.call("DELETE", "batch-endpoints/dep-list/deployments/green")).status).toBe(204);
    expect(items(await world.call("GET", "batch-endpoints/dep-list/deployments")).map((d) => d.name)).toEqual(
      ["blue"],
    );
  });
});

describe("batch deployments: refused requests write nothing", () => {
  beforeAll(async () => {
    await newEndpoint("dep-bad", ["blue"]);
  });

  const put = (deployment: string, body: unknown, extra: Record<string, unknown> = {}) => ({
    method: "PUT",
    path: `batch-endpoints/dep-bad/deployments/${deployment}`,
    body,
    ...extra,
  });

  it("an endpoint that does not exist", async () => {
    await expectRefused(
      world,
      { method: "PUT", path: "batch-endpoints/dep-ghost/deployments/blue", body: script() },
      404,
      "NotFound",
    );
  });

  it("a name in the body that is not the URL's", async () => {
    await expectRefused(world, put("green", script({ name: "red" })), 400, "NameMismatch");
  });

  it("an endpoint_name in the body that is not the URL's", async () => {
    const error = await expectRefused(
      world,
      put("green", script({ endpoint_name: "elsewhere" })),
      400,
      "NameMismatch",
    );
    expect(error.message).toContain("endpoint_name");
  });

  it("an invalid deployment name in the URL", async () => {
    await expectRefused(world, put("green!", script()), 400, "InvalidParameter");
  });

  it("an inline model given as a local path", async () => {
    const error = await expectRefused(
      world,
      put("green", { model: { name: "local", version: 1, path: "./model" } }),
      400,
      "LocalPathNotAllowed",
    );
    expect(error.details[0]?.path).toBe("model.path");
  });

  it("scoring code given as a local path", async () => {
    const error = await expectRefused(
      world,
      put("green", script({ code_configuration: { code: "./code", scoring_script: "score.js" } })),
      400,
      "LocalPathNotAllowed",
    );
    expect(error.details[0]?.path).toBe("code_configuration.code");
  });

  it("scoring code at a URI that is not an artifact", async () => {
    await expectRefused(
      world,
      put(
        "green",
        script({ code_configuration: { code: "https://example.com/code/", scoring_script: "score.js" } }),
      ),
      400,
      "InvalidReference",
    );
  });

  it("a model that is not registered", async () => {
    const error = await expectRefused(
      world,
      put("green", script({ model: "azureml:nowhere:9" })),
      400,
      "InvalidReference",
    );
    expect(error.message).toContain("nowhere:9");
  });

  it("a scoring script without run()", async () => {
    const noRun = await world.artifact("engine/no-run");
    const error = await expectRefused(
      world,
      put("green", script({ code_configuration: { code: noRun, scoring_script: "score.mjs" } })),
      400,
      "InvalidScoringScript",
    );
    expect(error.message).toContain("run");
  });

  it("a no-code MLflow model with neither an onnx nor a Python flavor", async () => {
    const h2o = await world.artifact("models/mlflow-h2o");
    await world.registry.models.create({ name: "sk", version: "1", type: "mlflow_model", path: h2o });
    const error = await expectRefused(
      world,
      put("green", { model: "azureml:sk:1" }),
      400,
      "UnsupportedModelFlavor",
    );
    expect(error.message).toContain("onnx");
  });

  it("a no-code model whose model.onnx is not ONNX (random bytes)", async () => {
    const junk = await world.registry.putArtifact([
      { path: "model.onnx", content: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)) },
    ]);
    const error = await expectRefused(
      world,
      put("green", { model: { name: "junk-model", version: 1, path: junk.uri } }),
      400,
      "InvalidModel",
    );
    expect(error.message).toContain("junk-model:1");
    expect(error.message).toContain("model.onnx");
  });

  it("an inline model whose name:version is registered with other content", async () => {
    const otherPath = await world.artifact("scripts/echo-js");
    await expectRefused(
      world,
      put("green", { ...script(), model: { name: "m", version: 1, type: "mlflow_model", path: otherPath } }),
      409,
      "AlreadyExists",
    );
  });

  it("settings out of range and unknown keys, listing every problem", async () => {
    const error = await expectRefused(
      world,
      put(
        "green",
        script({ settings: { mini_batch_size: 0, retry_settings: { timeout: "soon" } }, colour: "blue" }),
      ),
      400,
      "InvalidSpec",
    );
    expect(error.details.map((d) => d.path).sort()).toEqual([
      "colour",
      "settings.mini_batch_size",
      "settings.retry_settings.timeout",
    ]);
  });

  it("settings that size resources above this host's bounds, naming each field and bound", async () => {
    const limits = world.registry.limits;
    const error = await expectRefused(
      world,
      put(
        "green",
        script({
          resources: { instance_count: 100_000_000 },
          settings: { max_concurrency_per_instance: 100_000, retry_settings: { timeout: 2_147_484 } },
        }),
      ),
      400,
      "LimitExceeded",
    );
    expect(error.details.map((d) => d.path)).toEqual([
      "resources.instance_count",
      "settings.max_concurrency_per_instance",
      "settings.retry_settings.timeout",
    ]);
    expect(error.message).toContain(
      `settings.max_concurrency_per_instance is 100000; at most ${limits.max_concurrency_per_instance}`,
    );
    expect(error.message).toContain(`settings.retry_settings.timeout is 2147484; at most ${limits.timeout}`);
  });

  it("the same bounds in the 2021 form, and when replacing a deployment", async () => {
    await expectRefused(
      world,
      put("green", script({ mini_batch_size: 1e9, compute: { instance_count: 2 } }), {
        contentType: "application/json",
      }),
      400,
      "LimitExceeded",
    );
    await expectRefused(
      world,
      put("blue", script({ settings: { retry_settings: { timeout: 1e12, max_retries: 1e6 } } })),
      400,
      "LimitExceeded",
    );
  });

  it.each([
    ["errors.jsonl", "is the name of a file batchfn writes itself"],
    ["job_summary.json", "is the name of a file batchfn writes itself"],
    [" ", "must not start or end with a space"],
    ["p".repeat(1100), "must be 1-255 characters long"],
    ["p\u0000.csv", "must not hold control characters"],
  ])("output_file_name %j, which every invoke would fail on", async (name, message) => {
    const error = await expectRefused(
      world,
      put("green", script({ settings: { output_file_name: name } })),
      400,
      "InvalidSpec",
    );
    expect(error.details[0]).toMatchObject({ path: "settings.output_file_name" });
    expect(error.details[0]?.message).toContain(message);
  });

  it("a __proto__ key in the document", async () => {
    const body = JSON.stringify(script()).replace(/^\{/, '{"__proto__": {"name": "x"},');
    const error = await expectRefused(world, put("green", body), 400, "ForbiddenKey");
    expect(error.message).toContain("__proto__");
  });

  it("set_default that is not true or false", async () => {
    await expectRefused(world, put("green?set_default=maybe", script()), 400, "InvalidParameter");
  });

  it("a stale If-Match", async () => {
    const old = (await world.call("GET", "batch-endpoints/dep-bad/deployments/blue")).headers.etag ?? "";
    await world.call("PUT", "batch-endpoints/dep-bad/deployments/blue", {
      body: script({ description: "new" }),
    });
    await expectRefused(
      world,
      put("blue", script({ description: "lost" }), { headers: { "if-match": old } }),
      409,
      "ConcurrentUpdate",
    );
  });

  it("deleting the default deployment", async () => {
    await expectRefused(
      world,
      { method: "DELETE", path: "batch-endpoints/dep-bad/deployments/blue" },
      409,
      "DeploymentIsDefault",
    );
  });

  it("GET and DELETE of a deployment that does not exist, and the deployments of a missing endpoint", async () => {
    await expectRefused(
      world,
      { method: "GET", path: "batch-endpoints/dep-bad/deployments/ghost" },
      404,
      "NotFound",
    );
    await expectRefused(
      world,
      { method: "DELETE", path: "batch-endpoints/dep-bad/deployments/ghost" },
      404,
      "NotFound",
    );
    await expectRefused(
      world,
      { method: "GET", path: "batch-endpoints/dep-ghost/deployments" },
      404,
      "NotFound",
    );
  });
});
