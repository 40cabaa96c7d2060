import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readModifyWrite } from "../../../src/registry/read-modify-write.js";
import { createTableStore } from "../../../src/registry/table-store.js";
import { testClients, testConfig, uniqueName } from "../../support/storage.js";
import { expectBatchfnError } from "./registry-fixture.js";

const counterSchema = z.strictObject({ seen: z.array(z.string()) });
type Counter = z.infer<typeof counterSchema>;

function counterStore() {
  const config = testConfig();
  return createTableStore<Counter>({
    client: testClients(config).table(uniqueName("store")),
    schema: counterSchema,
    kind: "Counter",
    describe: (key) => key.rowKey,
  });
}

/** Resolves once `parties` callers are waiting, so all of them have read before any writes. */
function barrier(parties: number): () => Promise<void> {
  let waiting = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    waiting += 1;
    if (waiting === parties) release();
    return all;
  };
}

const key = { partitionKey: "p", rowKey: "c" };

describe("registry: table store", () => {
  it("retries read-modify-write updates that lost a race, so no change is lost", async () => {
    const store = counterStore();
    await store.insert(key, { seen: [] });
    const bothRead = barrier(2);
    const reads: string[] = [];
    await Promise.all(
      ["a", "b"].map((who) =>
        readModifyWrite(store, key, async (row) => {
          reads.push(who);
          if (reads.length <= 2) await bothRead();
          return { resource: { seen: [...row.resource.seen, who] } };
        }),
      ),
    );
    expect(reads.length).toBe(3);
    expect((await store.get(key))?.resource.seen.sort()).toEqual(["a", "b"]);
  });

  it("reports a lost race as ConcurrentUpdate when the caller gave the etag", async () => {
    const store = counterStore();
    const row = await store.insert(key, { seen: [] });
    const bothRead = barrier(2);
    const results = await Promise.allSettled(
      ["a", "b"].map((who) =>
        readModifyWrite(
          store,
          key,
          async () => {
            await bothRead();
            return { resource: { seen: [who] } };
          },
          { ifMatch: row.etag },
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const loser = results.find((r) => r.status === "rejected");
    expect(loser?.status === "rejected" && loser.reason).toMatchObject({
      code: "ConcurrentUpdate",
      message: expect.stringContaining("Counter 'c' was changed by someone else"),
    });
  });

  it("moves updatedAt only when the resource changes, and the etag on every write", async () => {
    const store = counterStore();
    const row = await store.insert(key, { seen: [] });
    const touched = await store.touch(row);
    expect(touched.etag).not.toBe(row.etag);
    expect(touched.updatedAt).toBe(row.updatedAt);
    await expectBatchfnError(store.touch(row), "ConcurrentUpdate", "'c'");
    await expectBatchfnError(store.remove(key, row.etag), "ConcurrentUpdate", "'c'");
    expect(await store.remove(key, touched.etag)).toBe(true);
    expect(await store.remove(key)).toBe(false);
    await expectBatchfnError(
      store.replace(touched, { seen: ["x"] }, touched.meta),
      "NotFound",
      "Counter 'c'",
    );
  });
});
