import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type ApiWorld, apiWorld, expectRefused, items } from "./api-fixture.js";

let world: ApiWorld;
const modelPath = "azureml://datastores/workspaceartifactstore/paths/sha256/aa/";

beforeAll(async () => {
  world = await apiWorld();
});

afterAll(async () => {
  await world?.close();
});

describe("models", () => {
  it("registers versions, shows them (latest too), lists them, and changes only description and tags", async () => {
    const created = await world.call("PUT", "models/clf/versions/1", {
      body: { type: "mlflow_model", path: modelPath, description: "first" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "clf",
      version: "1",
      type: "mlflow_model",
      path: modelPath,
      id: "/models/clf/versions/1",
      warnings: [],
    });
    await world.call("PUT", "models/clf/versions/2", {
      body: stringify({ name: "clf", version: 2, path: modelPath }),
      contentType: "application/yaml",
    });
    const shown = await world.call("GET", "models/clf/versions/1");
    expect(shown.status).toBe(200);
    expect(shown.headers.etag).toBe(created.headers.etag);
    expect((await world.call("GET", "models/clf/versions/latest")).body.version).toBe("2");

    const same = await world.call("PUT", "models/clf/versions/1", {
      body: { type: "mlflow_model", path: modelPath, description: "renamed", tags: { stage: "prod" } },
      headers: { "if-match": created.headers.etag ?? "" },
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ description: "renamed", tags: { stage: "prod" }, path: modelPath });

    expect(items(await world.call("GET", "models/clf/versions")).map((m) => m.version)).toEqual(["1", "2"]);
    await world.call("PUT", "models/other/versions/1", { body: { path: modelPath } });
    expect(items(await world.call("GET", "models")).map((m) => m.id)).toEqual([
      "/models/clf/versions/1",
      "/models/clf/versions/2",
      "/models/other/versions/1",
    ]);
  });

  it("refuses a local path", async () => {
    const error = await expectRefused(
      world,
      { method: "PUT", path: "models/local/versions/1", body: { path: "./model" } },
      400,
      "LocalPathNotAllowed",
    );
    expect(error.details[0]?.path).toBe("path");
  });

  it("refuses to change a registered version's content", async () => {
    await world.call("PUT", "models/frozen/versions/1", { body: { path: modelPath } });
    const error = await expectRefused(
      world,
      {
        method: "PUT",
        path: "models/frozen/versions/1",
        body: { path: `${modelPath}other/`, type: "mlflow_model" },
      },
      400,
      "InvalidSpec",
    );
    expect(error.details.map((d) => d.path)).toEqual(["path", "type"]);
    expect(error.message).toContain("immutable");
  });

  it("refuses a version or name in the body that is not the URL's", async () => {
    await expectRefused(
      world,
      { method: "PUT", path: "models/named/versions/1", body: { version: 2, path: modelPath } },
      400,
      "NameMismatch",
    );
    await expectRefused(
      world,
      { method: "PUT", path: "models/named/versions/1", body: { name: "renamed", path: modelPath } },
      400,
      "NameMismatch",
    );
  });

  it("refuses to write version 'latest'", async () => {
    await expectRefused(
      world,
      { method: "PUT", path: "models/clf/versions/latest", body: { path: modelPath } },
      400,
      "InvalidParameter",
    );
  });

  it("answers 404 for a version or a model that does not exist", async () => {
    await expectRefused(world, { method: "GET", path: "models/clf/versions/9" }, 404, "NotFound");
    await expectRefused(world, { method: "GET", path: "models/ghost/versions" }, 404, "NotFound");
  });
});

describe("data assets", () => {
  it("registers a data asset from YAML, shows it and lists it", async () => {
    const created = await world.call("PUT", "data/taxi/versions/1", {
      body: stringify({ type: "uri_file", path: "azureml://datastores/workspaceblobstore/paths/taxi/a.csv" }),
      contentType: "application/yaml",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "taxi",
      version: "1",
      type: "uri_file",
      id: "/data/taxi/versions/1",
    });
    expect((await world.call("GET", "data/taxi/versions/1")).body.path).toBe(
      "azureml://datastores/workspaceblobstore/paths/taxi/a.csv",
    );
    expect(items(await world.call("GET", "data/taxi/versions")).map((d) => d.version)).toEqual(["1"]);
    expect(items(await world.call("GET", "data")).map((d) => d.name)).toEqual(["taxi"]);
  });

  it("refuses a NUL in a data asset's or a model's path", async () => {
    const path = "azureml://datastores/workspaceblobstore/paths/a\u0000b/";
    const data = await expectRefused(
      world,
      { method: "PUT", path: "data/nul-data/versions/1", body: { path } },
      400,
      "InvalidSpec",
    );
    expect(data.details[0]?.path).toBe("path");
    await expectRefused(
      world,
      { method: "PUT", path: "models/nul-model/versions/1", body: { path } },
      400,
      "InvalidSpec",
    );
  });

  it("refuses an unknown type, a local path and an invalid version", async () => {
    const error = await expectRefused(
      world,
      {
        method: "PUT",
        path: "data/bad/versions/1",
        body: { type: "mltable", path: "https://example.com/x.csv" },
      },
      400,
      "InvalidSpec",
    );
    expect(error.details.map((d) => d.path)).toEqual(["type"]);
    await expectRefused(
      world,
      { method: "PUT", path: "data/bad/versions/1", body: { path: "data/x.csv" } },
      400,
      "LocalPathNotAllowed",
    );
    await expectRefused(
      world,
      { method: "PUT", path: "data/bad/versions/v%201", body: { path: "https://example.com/x.csv" } },
      400,
      "InvalidParameter",
    );
  });
});

describe("datastores", () => {
  it("creates, shows, replaces, lists and deletes a datastore", async () => {
    const created = await world.call("PUT", "datastores/archive", {
      body: { account_name: "otheraccount", container_name: "archive" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "archive",
      type: "azure_blob",
      account_name: "otheraccount",
      container_name: "archive",
      id: "/datastores/archive",
    });
    const replaced = await world.call("PUT", "datastores/archive", {
      body: { account_name: "otheraccount", container_name: "archive2" },
      headers: { "if-match": created.headers.etag ?? "" },
    });
    expect(replaced.status).toBe(200);
    expect((await world.call("GET", "datastores/archive")).body.container_name).toBe("archive2");
    expect(items(await world.call("GET", "datastores")).map((d) => d.name)).toEqual([
      "archive",
      "workspaceartifactstore",
      "workspaceblobstore",
    ]);
    expect((await world.call("DELETE", "datastores/archive")).status).toBe(204);
    expect((await world.call("GET", "datastores/archive")).status).toBe(404);
  });

  it("changes only the description of a built-in datastore", async () => {
    const replaced = await world.call("PUT", "datastores/workspaceblobstore", {
      body: { container_name: "somewhere-else", description: "inputs" },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      description: "inputs",
      container_name: world.config.containers.data,
    });
  });

  it("refuses credentials, an invalid container, deleting a built-in, a stale If-Match and unknown names", async () => {
    const credentials = await expectRefused(
      world,
      {
        method: "PUT",
        path: "datastores/keyed",
        body: { container_name: "keyed", credentials: { account_key: "k" } },
      },
      400,
      "InvalidSpec",
    );
    expect(credentials.details.map((d) => d.path)).toEqual(["credentials"]);
    await expectRefused(
      world,
      { method: "PUT", path: "datastores/badcontainer", body: { container_name: "Bad_Container" } },
      400,
      "InvalidSpec",
    );
    await expectRefused(
      world,
      { method: "DELETE", path: "datastores/workspaceblobstore" },
      409,
      "ProtectedResource",
    );
    await world.call("PUT", "datastores/stale", { body: { container_name: "stale" } });
    const old = (await world.call("GET", "datastores/stale")).headers.etag ?? "";
    await world.call("PUT", "datastores/stale", { body: { container_name: "stale", description: "moved" } });
    await expectRefused(
      world,
      {
        method: "PUT",
        path: "datastores/stale",
        body: { container_name: "lost" },
        headers: { "if-match": old },
      },
      409,
      "ConcurrentUpdate",
    );
    await expectRefused(world, { method: "GET", path: "datastores/ghost" }, 404, "NotFound");
    await expectRefused(world, { method: "DELETE", path: "datastores/ghost" }, 404, "NotFound");
  });
});
