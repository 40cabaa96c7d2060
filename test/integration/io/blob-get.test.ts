import diagnostics from "node:diagnostics_channel";
import {
  ContainerClient,
  type ContainerClient as ContainerClientType,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { createBlobAccess } from "../../../src/io/inputs/blob-access.js";
import { blobUrl, getWholeBlob } from "../../../src/io/inputs/blob-get.js";
import { fetchItemBytes } from "../../../src/io/inputs/download-item.js";
import type { InputRoot } from "../../../src/io/inputs/resolved-input.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { DEV_ACCOUNT } from "../../../src/storage/embedded-azurite.js";
import { putBlobs, storageWorld } from "./input-fixtures.js";

/** Names that need escaping in a URL and in the shared key's canonical resource. */
const NAMES = ["d/plain.png", "d/with space+plus&amp.png", "d/ünï (1)/x#y?z=1.png", "d/%41.png"];

/** What the SDK's own download answers for the same blob through the same client: bytes, or the refusal's status. */
async function sdkRead(container: ContainerClientType, name: string, ifMatch?: string) {
  try {
    return await container.getBlobClient(name).downloadToBuffer(0, undefined, {
      conditions: ifMatch === undefined ? undefined : { ifMatch },
    });
  } catch (thrown) {
    return { status: (thrown as { statusCode?: number }).statusCode };
  }
}

/** Counts the HTTP requests `call` sends. */
async function requestsOf(call: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const onStart = () => {
    count += 1;
  };
  diagnostics.subscribe("http.client.request.start", onStart);
  try {
    await call();
  } finally {
    diagnostics.unsubscribe("http.client.request.start", onStart);
  }
  return count;
}

describe("one plain signed GET of a whole blob", () => {
  it("answers the same bytes as the SDK with the app's shared key, for names that need escaping", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, Object.fromEntries(NAMES.map((name, i) => [name, `content ${i} ✓`])));
    for (const name of NAMES) {
      const whole = await getWholeBlob(world.container, name);
      expect(whole?.toString()).toBe(`content ${NAMES.indexOf(name)} ✓`);
      expect(whole).toEqual(await sdkRead(world.container, name));
      expect(blobUrl(world.container.url, name).href).toBe(world.container.getBlobClient(name).url);
    }
  });

  it("takes one request, and none when the SDK is not needed, through fetchItemBytes", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "d/a.png": "aaa" });
    const etag = (await world.container.getBlobClient("d/a.png").getProperties()).etag;
    const root: InputRoot = {
      kind: "blob",
      store: { kind: "app" },
      container: world.containerName,
      prefix: "d/",
    };
    let bytes: Uint8Array | undefined;
    const requests = await requestsOf(async () => {
      bytes = await fetchItemBytes({ root, item: { name: "a.png", etag }, access: world.access });
    });
    expect(Buffer.from(bytes ?? []).toString()).toBe("aaa");
    expect(requests).toBe(1);
  });

  it("answers nothing where the SDK is refused: a wrong key, a changed version, a missing blob", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "d/a.png": "aaa" });
    const wrongKey = new ContainerClient(
      world.container.url,
      new StorageSharedKeyCredential(DEV_ACCOUNT, Buffer.alloc(64, 1).toString("base64")),
    );
    expect(await getWholeBlob(wrongKey, "d/a.png")).toBeUndefined();
    expect(await sdkRead(wrongKey, "d/a.png")).toEqual({ status: 403 });

    expect(await getWholeBlob(world.container, "d/a.png", { ifMatch: '"0x1"' })).toBeUndefined();
    expect(await sdkRead(world.container, "d/a.png", '"0x1"')).toEqual({ status: 412 });

    expect(await getWholeBlob(world.container, "d/missing.png")).toBeUndefined();
    expect(await sdkRead(world.container, "d/missing.png")).toEqual({ status: 404 });
  });

  it("reads with a SAS in the client's URL, and is refused by a SAS that may not read", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "d/a.png": "sas bytes" });
    const expiresOn = new Date(Date.now() + 3_600_000);
    const readable = new ContainerClient(
      await world.container.generateSasUrl({ permissions: ContainerSASPermissions.parse("r"), expiresOn }),
    );
    expect((await getWholeBlob(readable, "d/a.png"))?.toString()).toBe("sas bytes");
    expect(await getWholeBlob(readable, "d/a.png")).toEqual(await sdkRead(readable, "d/a.png"));

    const writeOnly = new ContainerClient(
      await world.container.generateSasUrl({ permissions: ContainerSASPermissions.parse("w"), expiresOn }),
    );
    expect(await getWholeBlob(writeOnly, "d/a.png")).toBeUndefined();
    expect(await sdkRead(writeOnly, "d/a.png")).toEqual({ status: 403 });
  });

  it("reads through an app account reached by a SAS connection string, as fetchItemBytes does", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "d/a.png": "via sas" });
    const sas = new URL(
      await world.container.generateSasUrl({
        permissions: ContainerSASPermissions.parse("r"),
        expiresOn: new Date(Date.now() + 3_600_000),
      }),
    ).search.slice(1);
    const blobEndpoint = world.container.url.slice(0, world.container.url.lastIndexOf("/"));
    const clients = createStorageClients({
      kind: "connectionString",
      // the queue and table endpoints are never called here
      connectionString: `BlobEndpoint=${blobEndpoint};QueueEndpoint=${blobEndpoint};TableEndpoint=${blobEndpoint};SharedAccessSignature=${sas}`,
    });
    const access = createBlobAccess({ clients });
    const root: InputRoot = {
      kind: "blob",
      store: { kind: "app" },
      container: world.containerName,
      prefix: "d/",
    };
    const container = access.container(root.store, world.containerName);
    expect((await getWholeBlob(container, "d/a.png"))?.toString()).toBe("via sas");
    const bytes = await fetchItemBytes({ root, item: { name: "a.png" }, access });
    expect(Buffer.from(bytes).toString()).toBe("via sas");
  });

  it("reads a public container anonymously, and not a private one", async () => {
    const open = await storageWorld({ publicAccess: "blob" });
    await putBlobs(open.container, { "d/a.png": "public" });
    const anonymous = new ContainerClient(open.container.url);
    expect((await getWholeBlob(anonymous, "d/a.png"))?.toString()).toBe("public");

    const closed = await storageWorld();
    await putBlobs(closed.container, { "d/a.png": "private" });
    const stranger = new ContainerClient(closed.container.url);
    expect(await getWholeBlob(stranger, "d/a.png")).toBeUndefined();
    expect(await sdkRead(stranger, "d/a.png")).toMatchObject({ status: expect.any(Number) });
  });

  it("sends no bearer token over plain http (the SDK refuses it too), and no request at all", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "d/a.png": "aaa" });
    let asked = 0;
    const credential = {
      getToken: async () => {
        asked += 1;
        return { token: "secret", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const bearer = new ContainerClient(world.container.url, credential);
    let whole: Buffer | undefined = Buffer.alloc(0);
    expect(await requestsOf(async () => (whole = await getWholeBlob(bearer, "d/a.png")))).toBe(0);
    expect(whole).toBeUndefined();
    expect(asked).toBe(0);
    await expect(bearer.getBlobClient("d/a.png").downloadToBuffer()).rejects.toThrow(/non-TLS|https/);
  });
});
