import { setTimeout } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { deploymentInput, expectBatchfnError, modelInput, testRegistry } from "./registry-fixture.js";

describe("registry: models and data assets", () => {
  it("creates, shows, lists, updates and deletes model versions", async () => {
    const { registry } = testRegistry();
    const v1 = await registry.models.create({ ...modelInput("clf", 1), tags: { stage: "dev" } });
    expect(v1.resource).toEqual({
      name: "clf",
      version: "1",
      type: "custom_model",
      path: "azureml://models/clf/1",
      tags: { stage: "dev" },
    });
    await registry.models.create(modelInput("clf", "2"));
    await registry.models.create(modelInput("other", "1"));

    expect(await registry.models.show("clf", "1")).toEqual(v1);
    expect((await registry.models.list("clf")).map((r) => r.resource.version)).toEqual(["1", "2"]);
    expect((await registry.models.list()).map((r) => `${r.resource.name}:${r.resource.version}`)).toEqual([
      "clf:1",
      "clf:2",
      "other:1",
    ]);

    const updated = await registry.models.update(
      "clf",
      "1",
      (c) => ({ ...c, description: "first", tags: { stage: "prod" } }),
      { ifMatch: v1.etag },
    );
    expect(updated.resource).toMatchObject({
      description: "first",
      tags: { stage: "prod" },
      path: v1.resource.path,
    });

    await registry.models.delete("clf", "2");
    expect((await registry.models.list("clf")).map((r) => r.resource.version)).toEqual(["1"]);
    await expectBatchfnError(registry.models.show("clf", "2"), "NotFound", "Model 'clf:2' was not found.");
    await expectBatchfnError(registry.models.delete("clf", "2"), "NotFound", "'clf:2'");
  });

  it("keeps a version immutable: same content is idempotent, different content is refused", async () => {
    const { registry } = testRegistry();
    const first = await registry.models.create(modelInput("imm", "1", "azureml://a"));
    const again = await registry.models.create({
      ...modelInput("imm", "1", "azureml://a"),
      description: "ignored",
    });
    expect(again).toEqual(first);
    await expectBatchfnError(
      registry.models.create(modelInput("imm", "1", "azureml://b")),
      "AlreadyExists",
      "Model 'imm:1' already exists.",
    );
    await expectBatchfnError(
      registry.models.create({ ...modelInput("imm", "1", "azureml://a"), type: "mlflow_model" }),
      "AlreadyExists",
    );
    await expectBatchfnError(
      registry.models.update("imm", "1", (c) => ({ ...c, path: "azureml://b" })),
      "InvalidSpec",
      "only description and tags can be updated, not path",
    );
    await expectBatchfnError(
      registry.models.update("imm", "1", (c) => ({ ...c, version: "2" })),
      "InvalidSpec",
      "version",
    );
    expect(await registry.models.show("imm", "1")).toEqual(first);
    expect(await registry.models.list("imm")).toEqual([first]);
  });

  it("resolves latest to the highest numeric version, else the most recent", async () => {
    const { registry } = testRegistry();
    for (const version of ["2", "10", "9"]) await registry.models.create(modelInput("num", version));
    expect((await registry.models.show("num", "latest")).resource.version).toBe("10");
    expect((await registry.models.list("num")).map((r) => r.resource.version)).toEqual(["2", "9", "10"]);

    for (const version of ["beta", "alpha"]) {
      await registry.models.create(modelInput("named", version));
      await setTimeout(5);
    }
    expect((await registry.models.show("named", "latest")).resource.version).toBe("alpha");

    await expectBatchfnError(registry.models.show("none", "latest"), "NotFound", "'none:latest'");
    await expectBatchfnError(registry.models.create(modelInput("num", "latest")), "InvalidSpec", "reserved");
  });

  it("refuses to delete a model version a deployment uses", async () => {
    const { registry } = testRegistry();
    await registry.endpoints.create({ name: "use-ep" });
    await registry.models.create(modelInput("used", "1"));
    await registry.deployments.create(deploymentInput("use-ep", "blue", { name: "used", version: "1" }));
    await expectBatchfnError(registry.models.delete("used", "1"), "ProtectedResource", "'use-ep/blue'");
    expect((await registry.models.show("used", "1")).resource.name).toBe("used");
    await registry.endpoints.delete("use-ep");
    await registry.models.delete("used", "1");
    expect(await registry.models.list("used")).toEqual([]);
  });

  it("keeps data asset versions the same way", async () => {
    const { registry } = testRegistry();
    const path = "azureml://datastores/workspaceblobstore/paths/inputs/";
    const created = await registry.data.create({ name: "heart", version: 1, path });
    expect(created.resource).toEqual({ name: "heart", version: "1", type: "uri_folder", path, tags: {} });
    await registry.data.create({ name: "heart", version: 2, type: "uri_file", path: `${path}x.csv` });
    expect(await registry.data.create({ name: "heart", version: "1", path })).toEqual(created);
    await expectBatchfnError(
      registry.data.create({ name: "heart", version: "1", path: `${path}other/` }),
      "AlreadyExists",
      "Data asset 'heart:1' already exists.",
    );
    expect((await registry.data.show("heart", "latest")).resource.type).toBe("uri_file");
    const tagged = await registry.data.update("heart", "1", (c) => ({ ...c, tags: { ok: "yes" } }));
    expect(tagged.resource.tags).toEqual({ ok: "yes" });
    await expectBatchfnError(
      registry.data.update("heart", "1", (c) => ({ ...c, type: "uri_file" })),
      "InvalidSpec",
      "not type",
    );
    await registry.data.delete("heart", "1");
    expect((await registry.data.list()).map((r) => r.resource.version)).toEqual(["2"]);
    await expectBatchfnError(
      registry.data.show("heart", "1"),
      "NotFound",
      "Data asset 'heart:1' was not found.",
    );
  });
});
