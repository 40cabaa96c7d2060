import { describe, expect, it } from "vitest";
import {
  deploymentInput,
  endpointWithDeployments,
  expectBatchfnError,
  modelInput,
  testRegistry,
} from "./registry-fixture.js";

const m1 = { name: "m", version: "1" };

describe("registry: batch deployments", () => {
  it("creates, shows, lists, updates and deletes a deployment", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "dep-ep", []);
    await registry.models.create(modelInput("m", "2"));
    const created = await registry.deployments.create({
      ...deploymentInput("dep-ep", "blue", m1),
      code_configuration: {
        code: "azureml://datastores/workspaceartifactstore/paths/sha256/x/",
        scoring_script: "score.js",
      },
      settings: { mini_batch_size: 5 },
    });
    expect(created.resource.settings.mini_batch_size).toBe(5);
    expect(created.resource.settings.retry_settings).toEqual({ max_retries: 3, timeout: 30 });
    await registry.deployments.create(deploymentInput("dep-ep", "green", m1));

    expect(await registry.deployments.show("dep-ep", "blue")).toEqual(created);
    expect((await registry.deployments.list("dep-ep")).map((r) => r.resource.name)).toEqual([
      "blue",
      "green",
    ]);

    const updated = await registry.deployments.update(
      "dep-ep",
      "green",
      (c) => ({ ...c, model: { name: "m", version: "2" }, settings: { ...c.settings, mini_batch_size: 50 } }),
      { ifMatch: (await registry.deployments.show("dep-ep", "green")).etag },
    );
    expect(updated.resource.model).toEqual({ name: "m", version: "2" });
    expect(updated.resource.settings.mini_batch_size).toBe(50);

    await registry.deployments.delete("dep-ep", "green");
    expect((await registry.deployments.list("dep-ep")).map((r) => r.resource.name)).toEqual(["blue"]);
    await expectBatchfnError(
      registry.deployments.show("dep-ep", "green"),
      "NotFound",
      "Batch deployment 'dep-ep/green' was not found.",
    );
  });

  it("needs its endpoint and a registered model, and stores nothing otherwise", async () => {
    const { registry } = testRegistry();
    await expectBatchfnError(
      registry.deployments.create(deploymentInput("no-ep", "blue", m1)),
      "NotFound",
      "Batch endpoint 'no-ep' was not found.",
    );
    await registry.endpoints.create({ name: "ref-ep" });
    const error = await expectBatchfnError(
      registry.deployments.create(deploymentInput("ref-ep", "blue", { name: "ghost", version: "3" })),
      "InvalidReference",
      "Model 'ghost:3'",
    );
    expect(error.status).toBe(400);
    expect(await registry.deployments.list("ref-ep")).toEqual([]);
    expect((await registry.endpoints.show("ref-ep")).resource.defaults).toEqual({});
  });

  it("refuses a duplicate and a model change to an unregistered model", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "dup-ep", ["blue"]);
    await expectBatchfnError(
      registry.deployments.create(deploymentInput("dup-ep", "blue", m1)),
      "AlreadyExists",
      "'dup-ep/blue'",
    );
    const before = await registry.deployments.show("dup-ep", "blue");
    await expectBatchfnError(
      registry.deployments.update("dup-ep", "blue", (c) => ({ ...c, model: { name: "m", version: "9" } })),
      "InvalidReference",
      "'m:9'",
    );
    await expectBatchfnError(
      registry.deployments.update("dup-ep", "blue", (c) => ({ ...c, endpoint_name: "other-ep" })),
      "InvalidSpec",
      "endpoint_name",
    );
    expect(await registry.deployments.show("dup-ep", "blue")).toEqual(before);
  });

  it("registers an inline model first and resolves latest to a concrete version", async () => {
    const { registry } = testRegistry();
    await registry.endpoints.create({ name: "inline-ep" });
    await registry.deployments.create(deploymentInput("inline-ep", "blue", { name: "inl", version: "4" }), {
      model: modelInput("inl", "4", "azureml://datastores/workspaceartifactstore/paths/sha256/a/"),
    });
    expect((await registry.models.show("inl", "4")).resource.path).toBe(
      "azureml://datastores/workspaceartifactstore/paths/sha256/a/",
    );
    await registry.models.create(modelInput("inl", "10"));
    const latest = await registry.deployments.create(
      deploymentInput("inline-ep", "green", { name: "inl", version: "latest" }),
    );
    expect(latest.resource.model).toEqual({ name: "inl", version: "10" });
    await expectBatchfnError(
      registry.deployments.create(deploymentInput("inline-ep", "red", { name: "inl", version: "4" }), {
        model: modelInput("other", "4"),
      }),
      "InvalidSpec",
      "'other:4'",
    );
  });

  it("makes the first deployment the default, and another one only when asked", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "def-ep", ["blue", "green"]);
    expect((await registry.endpoints.show("def-ep")).resource.defaults.deployment_name).toBe("blue");
    await registry.deployments.create(deploymentInput("def-ep", "red", m1), { setDefault: true });
    expect((await registry.endpoints.show("def-ep")).resource.defaults.deployment_name).toBe("red");
  });

  it("switches the default in one etag-checked write", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "switch-ep", ["blue", "green", "red"]);
    const { etag } = await registry.endpoints.show("switch-ep");
    const results = await Promise.allSettled(
      ["green", "red"].map((d) => registry.endpoints.setDefaultDeployment("switch-ep", d, { ifMatch: etag })),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toEqual([expect.objectContaining({ code: "ConcurrentUpdate" })]);
    expect(await registry.endpoints.show("switch-ep")).toEqual(won[0]);
  });

  it("refuses a default that names a missing deployment and leaves the endpoint as it was", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "ref-def-ep", ["blue"]);
    const before = await registry.endpoints.show("ref-def-ep");
    await expectBatchfnError(
      registry.endpoints.setDefaultDeployment("ref-def-ep", "ghost"),
      "InvalidReference",
      "'ghost'",
    );
    await expectBatchfnError(
      registry.endpoints.update("ref-def-ep", (c) => ({ ...c, defaults: { deployment_name: "ghost" } })),
      "InvalidReference",
      "'ghost'",
    );
    await expectBatchfnError(
      registry.endpoints.create({ name: "new-def-ep", defaults: { deployment_name: "blue" } }),
      "InvalidReference",
      "'blue'",
    );
    expect(await registry.endpoints.show("ref-def-ep")).toEqual(before);
  });

  it("refuses to delete the default deployment until the default moves", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "keep-def-ep", ["blue", "green"]);
    const error = await expectBatchfnError(
      registry.deployments.delete("keep-def-ep", "blue"),
      "DeploymentIsDefault",
      "switch the default",
    );
    expect(error.status).toBe(409);
    const blue = await registry.deployments.show("keep-def-ep", "blue");
    await registry.endpoints.setDefaultDeployment("keep-def-ep", "green");
    await registry.endpoints.update("keep-def-ep", (c) => ({ ...c, defaults: { deployment_name: "blue" } }));
    await registry.endpoints.setDefaultDeployment("keep-def-ep", "green", {
      ifMatch: (await registry.endpoints.show("keep-def-ep")).etag,
    });
    expect((await registry.deployments.show("keep-def-ep", "blue")).resource).toEqual(blue.resource);
    await registry.deployments.delete("keep-def-ep", "blue");
    expect((await registry.deployments.list("keep-def-ep")).map((r) => r.resource.name)).toEqual(["green"]);
  });

  it("never leaves the default naming a deleted deployment when a switch races a delete", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "race-def-ep", ["blue"]);
    for (let round = 0; round < 12; round++) {
      const name = `next${round}`;
      await registry.deployments.create(deploymentInput("race-def-ep", name, m1));
      const [switched, deleted] = await Promise.allSettled([
        registry.endpoints.setDefaultDeployment("race-def-ep", name),
        registry.deployments.delete("race-def-ep", name),
      ]);
      expect([switched.status, deleted.status]).toContain("rejected");
      const endpoint = await registry.endpoints.show("race-def-ep");
      const names = (await registry.deployments.list("race-def-ep")).map((r) => r.resource.name);
      expect(names).toContain(endpoint.resource.defaults.deployment_name);
      if (switched.status === "fulfilled") {
        expect(deleted.status === "rejected" && deleted.reason).toMatchObject({
          code: "DeploymentIsDefault",
        });
        await registry.endpoints.setDefaultDeployment("race-def-ep", "blue");
      } else {
        expect(switched.reason).toMatchObject({ code: "InvalidReference" });
        expect(names).not.toContain(name);
      }
    }
  });

  it("deletes a deployment that is not the default while the default stays", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "del-ep", ["blue", "green"]);
    await registry.deployments.delete("del-ep", "green");
    await expectBatchfnError(registry.deployments.delete("del-ep", "green"), "NotFound", "'del-ep/green'");
    expect((await registry.endpoints.show("del-ep")).resource.defaults.deployment_name).toBe("blue");
  });
});
