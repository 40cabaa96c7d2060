import { describe, expect, it } from "vitest";
import { testClients, uniqueName } from "../support/storage.js";

describe("embedded Azurite through the Azure SDK clients", () => {
  it("stores and reads a blob, a queue message and a table entity", async () => {
    const clients = testClients();
    const container = clients.blob.getContainerClient(uniqueName("c"));
    await container.create();
    await container.getBlockBlobClient("a/b.txt").upload("hello", 5);
    const downloaded = await container.getBlobClient("a/b.txt").downloadToBuffer();
    expect(downloaded.toString()).toBe("hello");

    const queue = clients.queue.getQueueClient(uniqueName("q"));
    await queue.create();
    await queue.sendMessage("m1");
    const received = await queue.receiveMessages();
    expect(received.receivedMessageItems.map((m) => m.messageText)).toEqual(["m1"]);

    const tableName = uniqueName("t");
    await clients.tables.createTable(tableName);
    const table = clients.table(tableName);
    await table.createEntity({ partitionKey: "p", rowKey: "r", value: 42 });
    const entity = await table.getEntity<{ value: number }>("p", "r");
    expect(entity.value).toBe(42);
  });
});
