import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { describe, expect, it } from "vitest";
import { childPids, commandLine } from "../../bench/harness/process-cpu.js";
import { type EmbeddedAzurite, startAzurite } from "../../src/storage/embedded-azurite.js";

/**
 * The embedded Azurite runs through src/storage/azurite-entry.cjs, which patches its lookups (see
 * test/unit/storage/azurite-entry.test.ts for the lookups themselves). Here: the process really
 * starts through it, and the answers that depend on those lookups — same blob names in two
 * containers, snapshots, block ids, queue messages, table rows, data kept on disk across a restart.
 */
async function started(location?: string): Promise<{ azurite: EmbeddedAzurite; command: string }> {
  const before = new Set(childPids(process.pid));
  const azurite = await startAzurite(location ? { location } : { inMemory: true });
  const pid = childPids(process.pid).find((child) => !before.has(child));
  return { azurite, command: pid === undefined ? "" : commandLine(pid) };
}

async function text(body: Promise<Buffer>): Promise<string> {
  return (await body).toString();
}

describe("the embedded Azurite's entry file", () => {
  it("starts Azurite through it, and lookups among many blobs, snapshots and blocks answer as Azure does", async () => {
    const { azurite, command } = await started();
    try {
      expect(command).toMatch(/src\/storage\/azurite-entry\.cjs .*--inMemoryPersistence/);
      const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
      const [one, two] = [service.getContainerClient("one"), service.getContainerClient("two")];
      await Promise.all([one.create(), two.create()]);
      for (let i = 0; i < 60; i++)
        await Promise.all([
          one.getBlockBlobClient(`b-${i}`).upload(`one ${i}`, `one ${i}`.length),
          two.getBlockBlobClient(`b-${i}`).upload(`two ${i}`, `two ${i}`.length),
        ]);
      expect(await text(one.getBlobClient("b-7").downloadToBuffer())).toBe("one 7");
      expect(await text(two.getBlobClient("b-7").downloadToBuffer())).toBe("two 7");
      await expect(one.getBlobClient("b-60").downloadToBuffer()).rejects.toMatchObject({ statusCode: 404 });

      const blob = one.getBlockBlobClient("b-3");
      const first = await blob.createSnapshot();
      await blob.upload("one 3, second", 13);
      const second = await blob.createSnapshot();
      await blob.upload("one 3, third", 12);
      expect(await text(blob.withSnapshot(first.snapshot ?? "").downloadToBuffer())).toBe("one 3");
      expect(await text(blob.withSnapshot(second.snapshot ?? "").downloadToBuffer())).toBe("one 3, second");
      expect(await text(blob.downloadToBuffer())).toBe("one 3, third");
      const listed: string[] = [];
      for await (const item of one.listBlobsFlat({ prefix: "b-3", includeSnapshots: true }))
        listed.push(`${item.name}@${item.snapshot ?? ""}`);
      expect(listed).toContain("b-39@");
      expect(listed.filter((entry) => entry.startsWith("b-3@")).sort()).toEqual(
        ["b-3@", `b-3@${first.snapshot}`, `b-3@${second.snapshot}`].sort(),
      );

      const staged = two.getBlockBlobClient("staged");
      const ids = ["AAAA", "AAAB", "AAAC"].map((id) => Buffer.from(id).toString("base64"));
      for (const [at, id] of ids.entries()) await staged.stageBlock(id, `part ${at};`, `part ${at};`.length);
      await expect(staged.stageBlock(Buffer.from("LONGER").toString("base64"), "x", 1)).rejects.toMatchObject(
        { statusCode: 400 },
      );
      await staged.commitBlockList([ids[2] ?? "", ids[0] ?? ""]);
      expect(await text(staged.downloadToBuffer())).toBe("part 2;part 0;");

      const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
        "messages",
      );
      await queue.create();
      for (const message of ["m1", "m2", "m3"]) await queue.sendMessage(message);
      const [received] = (await queue.receiveMessages()).receivedMessageItems;
      await queue.deleteMessage(received?.messageId ?? "", received?.popReceipt ?? "");
      const rest = await queue.receiveMessages({ numberOfMessages: 5 });
      expect([received?.messageText, ...rest.receivedMessageItems.map((m) => m.messageText)]).toEqual([
        "m1",
        "m2",
        "m3",
      ]);

      const table = TableClient.fromConnectionString(azurite.connectionString, "rows", {
        allowInsecureConnection: true,
      });
      await table.createTable();
      for (const partitionKey of ["p1", "p2"])
        for (let i = 0; i < 20; i++) await table.createEntity({ partitionKey, rowKey: `r${i}`, value: i });
      await table.upsertEntity({ partitionKey: "p2", rowKey: "r5", value: 500 }, "Replace");
      expect((await table.getEntity<{ value: number }>("p2", "r5")).value).toBe(500);
      expect((await table.getEntity<{ value: number }>("p1", "r5")).value).toBe(5);
      await expect(table.createEntity({ partitionKey: "p1", rowKey: "r5" })).rejects.toMatchObject({
        statusCode: 409,
      });
    } finally {
      await azurite.stop();
    }
  }, 120_000);

  it("on disk: the blobs written before a stop are found after a restart", async () => {
    const location = await mkdtemp(join(tmpdir(), "batchfn-azurite-entry-"));
    try {
      const first = await started(location);
      expect(first.command).toContain("azurite-entry.cjs");
      const container = BlobServiceClient.fromConnectionString(
        first.azurite.connectionString,
      ).getContainerClient("kept");
      await container.create();
      for (let i = 0; i < 30; i++)
        await container.getBlockBlobClient(`k-${i}`).upload(`kept ${i}`, `kept ${i}`.length);
      await first.azurite.stop();

      const second = await started(location);
      try {
        const again = BlobServiceClient.fromConnectionString(
          second.azurite.connectionString,
        ).getContainerClient("kept");
        expect(await text(again.getBlobClient("k-17").downloadToBuffer())).toBe("kept 17");
        await again.getBlockBlobClient("k-31").upload("new", 3);
        expect(await text(again.getBlobClient("k-31").downloadToBuffer())).toBe("new");
      } finally {
        await second.azurite.stop();
      }
    } finally {
      await rm(location, { recursive: true, force: true });
    }
  }, 120_000);
});
