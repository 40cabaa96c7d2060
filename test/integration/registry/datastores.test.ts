import { describe, expect, it } from "vitest";
import { createRegistry } from "../../../src/registry/registry.js";
import { expectBatchfnError, testRegistry } from "./registry-fixture.js";

describe("registry: datastores", () => {
  it("registers the built-in datastores once, even when several instances start together", async () => {
    const { registry, clients, config } = testRegistry();
    const second = createRegistry({ clients, config });
    await Promise.all([registry.ensureRegistry(), second.ensureRegistry(), registry.ensureRegistry()]);
    const first = await registry.datastores.list();
    expect(first.map((r) => r.resource)).toEqual([
      {
        name: "workspaceartifactstore",
        type: "azure_blob",
        container_name: config.containers.artifacts,
        endpoint: "core.windows.net",
        protocol: "https",
        description: "Registered model and code files (content-addressed).",
        tags: {},
      },
      {
        name: "workspaceblobstore",
        type: "azure_blob",
        container_name: config.containers.data,
        endpoint: "core.windows.net",
        protocol: "https",
        description: "The batchfn app's data container.",
        tags: {},
      },
    ]);
    await createRegistry({ clients, config }).ensureRegistry();
    expect(await registry.datastores.list()).toEqual(first);
    expect(await clients.blob.getContainerClient(config.containers.data).exists()).toBe(true);
    expect(await clients.blob.getContainerClient(config.containers.artifacts).exists()).toBe(true);
  });

  it("creates, shows, lists, updates and deletes a datastore", async () => {
    const { registry } = testRegistry();
    const created = await registry.datastores.create({
      name: "partner",
      account_name: "partnerdata",
      container_name: "shared-in",
    });
    expect(created.resource).toMatchObject({ account_name: "partnerdata", container_name: "shared-in" });
    expect(await registry.datastores.show("partner")).toEqual(created);
    expect((await registry.datastores.list()).map((r) => r.resource.name)).toEqual([
      "partner",
      "workspaceartifactstore",
      "workspaceblobstore",
    ]);
    const updated = await registry.datastores.update(
      "partner",
      (c) => ({ ...c, container_name: "shared-out" }),
      {
        ifMatch: created.etag,
      },
    );
    expect(updated.resource.container_name).toBe("shared-out");
    await expectBatchfnError(
      registry.datastores.update("partner", (c) => ({ ...c, container_name: "Bad_Name" }), {
        ifMatch: updated.etag,
      }),
      "InvalidSpec",
      "container_name",
    );
    await expectBatchfnError(
      registry.datastores.create({ name: "partner", container_name: "again" }),
      "AlreadyExists",
      "Datastore 'partner' already exists.",
    );
    expect(await registry.datastores.show("partner")).toEqual(updated);
    await registry.datastores.delete("partner");
    await expectBatchfnError(
      registry.datastores.show("partner"),
      "NotFound",
      "Datastore 'partner' was not found.",
    );
    await expectBatchfnError(registry.datastores.delete("partner"), "NotFound", "'partner'");
  });

  it("refuses to delete a built-in datastore and pins its container", async () => {
    const { registry, config } = testRegistry();
    for (const name of ["workspaceblobstore", "workspaceartifactstore"]) {
      const error = await expectBatchfnError(
        registry.datastores.delete(name),
        "ProtectedResource",
        `'${name}'`,
      );
      expect(error.status).toBe(409);
    }
    const updated = await registry.datastores.update("workspaceblobstore", (c) => ({
      ...c,
      container_name: "elsewhere",
      tags: { owner: "ops" },
    }));
    expect(updated.resource).toMatchObject({
      container_name: config.containers.data,
      tags: { owner: "ops" },
    });
    expect((await registry.datastores.show("workspaceblobstore")).resource).toEqual(updated.resource);
  });
});
