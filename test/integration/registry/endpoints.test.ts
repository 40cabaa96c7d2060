import { describe, expect, it } from "vitest";
import {
  deploymentInput,
  endpointWithDeployments,
  expectBatchfnError,
  testRegistry,
} from "./registry-fixture.js";

describe("registry: batch endpoints", () => {
  it("creates, shows, lists, updates and deletes an endpoint", async () => {
    const { registry } = testRegistry();
    const created = await registry.endpoints.create({
      name: "ep-one",
      description: "first",
      tags: { team: "risk" },
    });
    expect(created.resource).toEqual({
      name: "ep-one",
      description: "first",
      tags: { team: "risk" },
      auth_mode: "aad_token",
      defaults: {},
    });
    expect(created.etag).not.toBe("");
    expect(created.created_at).toBe(created.updated_at);
    await registry.endpoints.create({ name: "ep-two", auth_mode: "key" });

    const shown = await registry.endpoints.show("ep-one");
    expect(shown).toEqual(created);
    expect((await registry.endpoints.list()).map((r) => r.resource.name)).toEqual(["ep-one", "ep-two"]);

    const updated = await registry.endpoints.update(
      "ep-one",
      (current) => ({ ...current, description: "changed" }),
      {
        ifMatch: shown.etag,
      },
    );
    expect(updated.resource.description).toBe("changed");
    expect(updated.etag).not.toBe(shown.etag);
    expect(updated.created_at).toBe(created.created_at);
    expect((await registry.endpoints.show("ep-one")).resource.description).toBe("changed");

    await registry.endpoints.delete("ep-two");
    expect((await registry.endpoints.list()).map((r) => r.resource.name)).toEqual(["ep-one"]);
  });

  it("refuses a duplicate name and names what is missing", async () => {
    const { registry } = testRegistry();
    await registry.endpoints.create({ name: "dup-ep" });
    await expectBatchfnError(registry.endpoints.create({ name: "dup-ep" }), "AlreadyExists", "'dup-ep'");
    const missing = await expectBatchfnError(
      registry.endpoints.show("nope-ep"),
      "NotFound",
      "Batch endpoint 'nope-ep' was not found.",
    );
    expect(missing.status).toBe(404);
    await expectBatchfnError(
      registry.endpoints.update("nope-ep", (c) => c),
      "NotFound",
      "'nope-ep'",
    );
    await expectBatchfnError(registry.endpoints.delete("nope-ep"), "NotFound", "'nope-ep'");
  });

  it("leaves the stored endpoint untouched when an update is invalid", async () => {
    const { registry } = testRegistry();
    const before = await registry.endpoints.create({ name: "keep-ep", description: "kept" });
    await expectBatchfnError(
      registry.endpoints.update("keep-ep", (c) => ({ ...c, auth_mode: "password" as "key" })),
      "InvalidSpec",
      "auth_mode",
    );
    await expectBatchfnError(
      registry.endpoints.update("keep-ep", (c) => ({ ...c, name: "other-ep" })),
      "InvalidSpec",
      "name",
    );
    await expectBatchfnError(registry.endpoints.create({ name: "x" }), "InvalidSpec", "name");
    expect(await registry.endpoints.show("keep-ep")).toEqual(before);
    expect((await registry.endpoints.list()).length).toBe(1);
  });

  it("lets exactly one of two updates carrying the same etag win", async () => {
    const { registry } = testRegistry();
    const { etag } = await registry.endpoints.create({ name: "race-ep" });
    const results = await Promise.allSettled(
      ["a", "b"].map((who) =>
        registry.endpoints.update("race-ep", (c) => ({ ...c, description: who }), { ifMatch: etag }),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: "ConcurrentUpdate", status: 409 });
    const stored = await registry.endpoints.show("race-ep");
    expect(won[0]?.value).toEqual(stored);
  });

  it("refuses an update whose etag is stale and keeps the newer change", async () => {
    const { registry } = testRegistry();
    const first = await registry.endpoints.create({ name: "stale-ep" });
    await registry.endpoints.update("stale-ep", (c) => ({ ...c, description: "newer" }));
    await expectBatchfnError(
      registry.endpoints.update("stale-ep", (c) => ({ ...c, description: "older" }), { ifMatch: first.etag }),
      "ConcurrentUpdate",
      "'stale-ep'",
    );
    expect((await registry.endpoints.show("stale-ep")).resource.description).toBe("newer");
  });

  it("keeps both changes of concurrent read-modify-write updates", async () => {
    const { registry } = testRegistry();
    await registry.endpoints.create({ name: "rmw-ep" });
    const keys = ["a", "b", "c", "d"];
    await Promise.all(
      keys.map((key) =>
        registry.endpoints.update("rmw-ep", (c) => ({ ...c, tags: { ...c.tags, [key]: "set" } })),
      ),
    );
    expect((await registry.endpoints.show("rmw-ep")).resource.tags).toEqual({
      a: "set",
      b: "set",
      c: "set",
      d: "set",
    });
  });

  it("cascades a delete to the deployments", async () => {
    const { registry } = testRegistry();
    await endpointWithDeployments(registry, "cascade-ep", ["blue", "green", "red"]);
    await registry.endpoints.delete("cascade-ep");
    await expectBatchfnError(registry.endpoints.show("cascade-ep"), "NotFound", "'cascade-ep'");
    await expectBatchfnError(
      registry.deployments.list("cascade-ep"),
      "NotFound",
      "Batch endpoint 'cascade-ep'",
    );
    await expectBatchfnError(registry.deployments.show("cascade-ep", "blue"), "NotFound", "'cascade-ep'");

    await registry.endpoints.create({ name: "cascade-ep" });
    expect(await registry.deployments.list("cascade-ep")).toEqual([]);
    const recreated = await registry.deployments.create(
      deploymentInput("cascade-ep", "blue", { name: "m", version: "1" }),
    );
    expect(recreated.resource.name).toBe("blue");
  });

  it("never shows a deployment row left behind by a deleted endpoint of the same name", async () => {
    const { registry, clients, config } = testRegistry();
    await endpointWithDeployments(registry, "orphan-ep", ["blue"]);
    const table = clients.table(`${config.tablePrefix}Deployments`);
    const leftover = await table.getEntity("orphan-ep", "blue");
    await registry.endpoints.delete("orphan-ep");
    const { etag: _etag, timestamp: _timestamp, ...entity } = leftover;
    await table.createEntity({ ...entity, partitionKey: "orphan-ep", rowKey: "blue" });

    await expectBatchfnError(
      registry.deployments.list("orphan-ep"),
      "NotFound",
      "Batch endpoint 'orphan-ep'",
    );
    await registry.endpoints.create({ name: "orphan-ep" });
    expect(await registry.deployments.list("orphan-ep")).toEqual([]);
    await expectBatchfnError(registry.deployments.show("orphan-ep", "blue"), "NotFound", "'orphan-ep/blue'");
    const rows = [];
    for await (const row of table.listEntities()) rows.push(row);
    expect(rows).toEqual([]);

    await table.createEntity({ ...entity, partitionKey: "orphan-ep", rowKey: "blue" });
    expect(await registry.deployments.list("orphan-ep")).toEqual([]);
    const blue = await registry.deployments.create(
      deploymentInput("orphan-ep", "blue", { name: "m", version: "1" }),
    );
    expect(blue.created_at > String(leftover.createdAt)).toBe(true);
    expect(await registry.deployments.list("orphan-ep")).toEqual([blue]);
  });

  it("reports a stored row that is not valid instead of returning it", async () => {
    const { registry, clients, config } = testRegistry();
    await registry.endpoints.create({ name: "good-ep" });
    const table = clients.table(`${config.tablePrefix}Endpoints`);
    await table.updateEntity({ partitionKey: "endpoint", rowKey: "good-ep", body: '{"name":1}' }, "Merge");
    await expectBatchfnError(registry.endpoints.show("good-ep"), "CorruptRecord", "'good-ep'");
  });
});
