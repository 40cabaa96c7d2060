import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type ApiWorld, apiWorld, expectRefused, items } from "./api-fixture.js";

let world: ApiWorld;
let code: string;

beforeAll(async () => {
  world = await apiWorld();
  code = await world.artifact("scripts/echo-js");
  const model = await world.artifact("models/mlflow-tensor");
  await world.registry.models.create({ name: "m", version: "1", type: "mlflow_model", path: model });
});

afterAll(async () => {
  await world?.close();
});

const scriptDeployment = (name: string) => ({
  name,
  model: "azureml:m:1",
  code_configuration: { code, scoring_script: "score.js" },
});

async function endpointWith(name: string, deployments: string[]): Promise<void> {
  expect((await world.call("PUT", `batch-endpoints/${name}`, { body: {} })).status).toBe(201);
  for (const deployment of deployments) {
    const response = await world.call("PUT", `batch-endpoints/${name}/deployments/${deployment}`, {
      body: scriptDeployment(deployment),
    });
    expect(response.status).toBe(201);
  }
}

describe("batch endpoints: happy paths", () => {
  it("creates an endpoint from JSON (name from the URL) and shows it with scoring_uri, id and ETag", async () => {
    const created = await world.call("PUT", "batch-endpoints/ep-create", {
      body: { description: "first", tags: { team: "risk" } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "ep-create",
      description: "first",
      tags: { team: "risk" },
      auth_mode: "aad_token",
      defaults: {},
      id: "/batch-endpoints/ep-create",
      scoring_uri: "http://127.0.0.1:7071/api/batch-endpoints/ep-create/jobs",
      provisioning_state: "Succeeded",
      warnings: [],
    });
    const shown = await world.call("GET", "batch-endpoints/ep-create");
    expect(shown.status).toBe(200);
    expect(shown.headers.etag).toBe(created.headers.etag);
    expect(shown.headers.etag).toBe((await world.registry.endpoints.show("ep-create")).etag);
    expect(shown.body).toMatchObject({ name: "ep-create", scoring_uri: created.body.scoring_uri });
    expect(shown.body).not.toHaveProperty("warnings");
  });

  it("builds scoring_uri from the forwarded host and protocol", async () => {
    await world.call("PUT", "batch-endpoints/ep-forward", { body: {} });
    const shown = await world.call("GET", "batch-endpoints/ep-forward", {
      headers: { "x-forwarded-host": "myapp.azurewebsites.net", "x-forwarded-proto": "https" },
    });
    expect(shown.body.scoring_uri).toBe(
      "https://myapp.azurewebsites.net/api/batch-endpoints/ep-forward/jobs",
    );
  });

  it("replaces an endpoint under If-Match, keeping its deployments and default", async () => {
    await endpointWith("ep-replace", ["blue", "green"]);
    const before = await world.call("GET", "batch-endpoints/ep-replace");
    expect(before.body.defaults).toEqual({ deployment_name: "blue" });
    const replaced = await world.call("PUT", "batch-endpoints/ep-replace", {
      body: { name: "ep-replace", description: "second", auth_mode: "key" },
      headers: { "if-match": before.headers.etag ?? "" },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      description: "second",
      auth_mode: "key",
      defaults: { deployment_name: "blue" },
    });
    expect(replaced.headers.etag).not.toBe(before.headers.etag);
    const deployments = await world.call("GET", "batch-endpoints/ep-replace/deployments");
    expect(items(deployments).map((d) => d.name)).toEqual(["blue", "green"]);
  });

  it("switches the default with defaults.deployment_name and with 2021 traffic", async () => {
    await endpointWith("ep-switch", ["blue", "green"]);
    const v2 = await world.call("PUT", "batch-endpoints/ep-switch", {
      body: { defaults: { deployment_name: "green" } },
    });
    expect(v2.body.defaults).toEqual({ deployment_name: "green" });
    const traffic = await world.call("PUT", "batch-endpoints/ep-switch", {
      body: stringify({ type: "batch", traffic: { blue: 100, green: 0 } }),
      contentType: "application/yaml",
    });
    expect(traffic.status).toBe(200);
    expect(traffic.body.defaults).toEqual({ deployment_name: "blue" });
    expect((await world.registry.endpoints.show("ep-switch")).resource.defaults.deployment_name).toBe("blue");
  });

  it("creates a 2021 endpoint from YAML with its inline deployments, the one at 100 as default", async () => {
    const document = stringify({
      name: "ep-2021",
      type: "batch",
      traffic: { first: 0, second: 100 },
      deployments: {
        first: { model: "azureml:m:1", code_configuration: { code, scoring_script: "score.js" } },
        second: {
          model: "azureml:m:1",
          code_configuration: { code, scoring_script: "score.js" },
          compute: { target: "azureml:cpu-cluster", instance_count: 2 },
          mini_batch_size: 3,
        },
      },
    });
    const created = await world.call("PUT", "batch-endpoints/ep-2021", {
      body: document,
      contentType: "text/yaml",
    });
    expect(created.status).toBe(201);
    expect(created.body.defaults).toEqual({ deployment_name: "second" });
    expect(created.body.warnings).toEqual([
      expect.stringMatching(/^deployments\.second\.compute\.target: accepted, not used/),
    ]);
    const second = await world.call("GET", "batch-endpoints/ep-2021/deployments/second");
    expect(second.body).toMatchObject({
      endpoint_name: "ep-2021",
      resources: { instance_count: 2 },
      settings: { mini_batch_size: 3 },
    });
  });

  it("accepts a shown endpoint sent back as it is", async () => {
    await world.call("PUT", "batch-endpoints/ep-roundtrip", { body: { description: "as shown" } });
    const shown = await world.call("GET", "batch-endpoints/ep-roundtrip");
    const again = await world.call("PUT", "batch-endpoints/ep-roundtrip", { body: shown.body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ description: "as shown", created_at: shown.body.created_at });
  });

  it("lists endpoints Azure style and deletes one with its deployments", async () => {
    await endpointWith("ep-delete", ["only"]);
    const listed = await world.call("GET", "batch-endpoints");
    expect(listed.status).toBe(200);
    expect(items(listed).map((e) => e.name)).toContain("ep-delete");
    expect(items(listed).every((e) => typeof e.scoring_uri === "string")).toBe(true);

    const deleted = await world.call("DELETE", "batch-endpoints/ep-delete");
    expect(deleted.status).toBe(204);
    expect((await world.call("GET", "batch-endpoints/ep-delete")).status).toBe(404);
    expect((await world.call("GET", "batch-endpoints/ep-delete/deployments")).status).toBe(404);
    expect(items(await world.call("GET", "batch-endpoints")).map((e) => e.name)).not.toContain("ep-delete");
  });
});

describe("batch endpoints: refused requests write nothing", () => {
  const put = (path: string, body: unknown, extra: Record<string, unknown> = {}) => ({
    method: "PUT",
    path,
    body,
    ...extra,
  });

  it("malformed JSON", async () => {
    await expectRefused(world, put("batch-endpoints/ep-bad", '{"name": "ep-bad",'), 400, "InvalidJson");
  });

  it("malformed YAML", async () => {
    await expectRefused(
      world,
      put("batch-endpoints/ep-bad", "name: ep-bad\n  description: [unclosed", {
        contentType: "application/yaml",
      }),
      400,
      "InvalidYaml",
    );
  });

  it("a content type that is neither JSON nor YAML", async () => {
    await expectRefused(
      world,
      put("batch-endpoints/ep-bad", "name=ep-bad", { contentType: "application/x-www-form-urlencoded" }),
      415,
      "UnsupportedMediaType",
    );
  });

  it("a body over the size limit", async () => {
    const huge = { description: "x".repeat(1024 * 1024 + 10) };
    await expectRefused(world, put("batch-endpoints/ep-bad", huge), 413, "PayloadTooLarge");
  });

  it("an empty body", async () => {
    await expectRefused(world, put("batch-endpoints/ep-bad", "  "), 400, "EmptyBody");
  });

  it("an invalid name in the URL", async () => {
    const error = await expectRefused(world, put("batch-endpoints/1-bad", {}), 400, "InvalidParameter");
    expect(error.details).toEqual([
      { path: "name", message: expect.stringContaining("start with a letter") },
    ]);
  });

  it("a name in the body that is not the URL's", async () => {
    const error = await expectRefused(
      world,
      put("batch-endpoints/ep-bad", { name: "other" }),
      400,
      "NameMismatch",
    );
    expect(error.message).toContain("'other'");
  });

  it("unknown keys, listing every problem with its path", async () => {
    const error = await expectRefused(
      world,
      put("batch-endpoints/ep-bad", { colour: "blue", auth_mode: "password", tags: { a: 1 } }),
      400,
      "InvalidSpec",
    );
    expect(error.details.map((d) => d.path).sort()).toEqual(["auth_mode", "colour", "tags.a"]);
  });

  it("traffic that is not 0 or 100", async () => {
    await world.call("PUT", "batch-endpoints/ep-traffic", { body: {} });
    const error = await expectRefused(
      world,
      put("batch-endpoints/ep-traffic", { type: "batch", traffic: { blue: 50 } }),
      400,
      "InvalidSpec",
    );
    expect(error.details.map((d) => d.path)).toEqual(["traffic.blue"]);
  });

  it("traffic giving 100 to a deployment that does not exist", async () => {
    await endpointWith("ep-missing", ["blue"]);
    const error = await expectRefused(
      world,
      put("batch-endpoints/ep-missing", { traffic: { ghost: 100 } }),
      400,
      "InvalidReference",
    );
    expect(error.message).toContain("'ghost'");
  });

  it("a new endpoint whose defaults.deployment_name does not exist", async () => {
    await expectRefused(
      world,
      put("batch-endpoints/ep-new-default", { defaults: { deployment_name: "later" } }),
      400,
      "InvalidReference",
    );
  });

  it("a stale If-Match", async () => {
    await world.call("PUT", "batch-endpoints/ep-stale", { body: {} });
    const old = (await world.call("GET", "batch-endpoints/ep-stale")).headers.etag ?? "";
    await world.call("PUT", "batch-endpoints/ep-stale", { body: { description: "moved on" } });
    await expectRefused(
      world,
      put("batch-endpoints/ep-stale", { description: "lost" }, { headers: { "if-match": old } }),
      409,
      "ConcurrentUpdate",
    );
  });

  it("If-Match on an endpoint that does not exist", async () => {
    await expectRefused(
      world,
      put("batch-endpoints/ep-never", {}, { headers: { "if-match": "*" } }),
      404,
      "NotFound",
    );
  });

  it("an inline deployment whose model is a local path", async () => {
    const document = {
      type: "batch",
      deployments: {
        local: { model: { name: "local-model", version: 1, local_path: "./model" } },
      },
    };
    const error = await expectRefused(
      world,
      put("batch-endpoints/ep-local", document),
      400,
      "LocalPathNotAllowed",
    );
    expect(error.details[0]?.path).toBe("deployments.local.model.path");
    expect(error.message).toContain("upload");
  });

  it("an inline deployment whose script has no run()", async () => {
    const noRun = await world.artifact("engine/no-run");
    const document = {
      type: "batch",
      deployments: {
        fine: scriptDeployment("fine"),
        broken: { model: "azureml:m:1", code_configuration: { code: noRun, scoring_script: "score.mjs" } },
      },
    };
    await expectRefused(world, put("batch-endpoints/ep-norun", document), 400, "InvalidScoringScript");
  });

  it("a new 2021 endpoint whose inline model version is registered with other content", async () => {
    const document = {
      type: "batch",
      deployments: {
        clash: { ...scriptDeployment("clash"), model: { name: "m", version: 1, path: code } },
      },
    };
    await expectRefused(world, put("batch-endpoints/ep-clash", document), 409, "AlreadyExists");
  });

  it("GET and DELETE of an endpoint that does not exist", async () => {
    await expectRefused(world, { method: "GET", path: "batch-endpoints/ep-ghost" }, 404, "NotFound");
    await expectRefused(world, { method: "DELETE", path: "batch-endpoints/ep-ghost" }, 404, "NotFound");
  });
});
