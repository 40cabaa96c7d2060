import { StorageSharedKeyCredential } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { createBlobAccess } from "../../../src/io/inputs/blob-access.js";
import { resolveInput } from "../../../src/io/inputs/resolve-input.js";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from "../../../src/storage/embedded-azurite.js";
import { uniqueName } from "../../support/storage.js";
import { catalogOf, putBlobs, storageWorld } from "./input-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

const NESTED = {
  "data/b.csv": "b",
  "data/a/z.csv": "zz",
  "data/a/b/c.csv": "ccc",
  "data/A.csv": "A",
  "data/a.csv": "a",
  "other/x.csv": "x",
};

describe("resolveInput on a datastore", () => {
  it("lists a folder recursively, nested folders included, sorted by name", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, NESTED);
    const resolved = await resolveInput({ uri: "azureml://datastores/ws/paths/data/" }, world);
    expect(resolved.type).toBe("uri_folder");
    expect(resolved.root).toEqual({
      kind: "blob",
      store: { kind: "app" },
      container: world.containerName,
      prefix: "data/",
    });
    expect(resolved.items.map((item) => item.name)).toEqual([
      "A.csv",
      "a.csv",
      "a/b/c.csv",
      "a/z.csv",
      "b.csv",
    ]);
    expect(resolved.items.map((item) => item.size)).toEqual([1, 1, 3, 2, 1]);
    expect(resolved.items.every((item) => typeof item.etag === "string")).toBe(true);

    const noSlash = await resolveInput({ uri: "azureml://datastores/ws/paths/data" }, world);
    const shortForm = await resolveInput({ datastore: "ws", path: "data" }, world);
    const longForm = await resolveInput(
      { uri: "azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/ws/paths/data/" },
      world,
    );
    for (const other of [noSlash, shortForm, longForm]) expect(other.items).toEqual(resolved.items);
  });

  it("treats a path naming a blob as a file, and checks the declared input type", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, NESTED);
    const file = await resolveInput({ uri: "azureml://datastores/ws/paths/data/a/z.csv" }, world);
    expect(file.type).toBe("uri_file");
    expect(file.root).toMatchObject({ prefix: "data/a/" });
    expect(file.items).toEqual([expect.objectContaining({ name: "z.csv", size: 2 })]);

    const declaredFolder = await failure(
      resolveInput({ uri: "azureml://datastores/ws/paths/data/a/z.csv", type: "uri_folder" }, world),
    );
    expect(declaredFolder.code).toBe("InputTypeMismatch");
    expect(declaredFolder.message).toContain("azureml://datastores/ws/paths/data/a/z.csv");

    const declaredFile = await failure(
      resolveInput({ datastore: "ws", path: "data/a", type: "uri_file" }, world),
    );
    expect(declaredFile.code).toBe("InputTypeMismatch");
    expect(declaredFile.message).toContain("is declared uri_file but is a folder of 2 files");
  });

  it("refuses a missing input, an empty folder and an unknown datastore, naming them", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "data/a.csv": "a", "empty/": "" });
    await world.container
      .getBlockBlobClient("adls-dir")
      .upload("", 0, { metadata: { hdi_isfolder: "true" } });

    const missing = await failure(resolveInput({ uri: "azureml://datastores/ws/paths/nothing-here" }, world));
    expect(missing.code).toBe("InputNotFound");
    expect(missing.message).toContain("azureml://datastores/ws/paths/nothing-here");

    const empty = await failure(resolveInput({ uri: "azureml://datastores/ws/paths/empty/" }, world));
    expect(empty.code).toBe("InputEmpty");
    expect(empty.message).toContain("azureml://datastores/ws/paths/empty/");

    const adls = await failure(resolveInput({ datastore: "ws", path: "adls-dir" }, world));
    expect(adls.code).toBe("InputEmpty");

    const unknown = await failure(resolveInput({ uri: "azureml://datastores/nope/paths/data/" }, world));
    expect(unknown.code).toBe("DatastoreNotFound");
    expect(unknown.message).toContain("'nope'");

    const noContainer = await failure(
      resolveInput(
        { uri: "azureml://datastores/gone/paths/data/" },
        { ...world, catalog: catalogOf([{ name: "gone", container_name: uniqueName("gone") }]) },
      ),
    );
    expect(noContainer.code).toBe("InputNotFound");
    expect(noContainer.message).toMatch(/container '.*' does not exist/);
  });

  it("refuses '..' segments and absolute host paths before any lookup", async () => {
    const world = await storageWorld();
    for (const input of [
      { uri: "azureml://datastores/ws/paths/data/../secrets/" },
      { datastore: "ws", path: "/etc/passwd" },
      { datastore: "ws", path: "C:\\data" },
    ]) {
      const error = await failure(resolveInput(input, world));
      expect(error.code).toBe("InvalidInput");
    }
  });

  it("resolves a registered data asset by name:version, with or without the azureml: prefix", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, NESTED);
    const catalog = catalogOf(
      [{ name: "ws", container_name: world.containerName }],
      [
        { name: "taxi", version: 2, path: "azureml://datastores/ws/paths/data/a/" },
        { name: "one", version: 1, type: "uri_file", path: "azureml://datastores/ws/paths/data/b.csv" },
      ],
    );
    const deps = { ...world, catalog };
    const plain = await resolveInput({ uri: "taxi:2" }, deps);
    const prefixed = await resolveInput({ uri: "azureml:taxi:2" }, deps);
    expect(plain.items.map((item) => item.name)).toEqual(["b/c.csv", "z.csv"]);
    expect(prefixed).toEqual(plain);
    expect(plain.display).toContain("taxi:2");

    const file = await resolveInput({ uri: "one:1" }, deps);
    expect(file.type).toBe("uri_file");

    const missing = await failure(resolveInput({ uri: "taxi:3" }, deps));
    expect(missing.code).toBe("InputNotFound");
    expect(missing.message).toContain("'taxi:3'");
  });

  it("reaches a datastore on another account with the app's identity", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, NESTED);
    const serviceUrl = world.clients.blob.url.replace(/\/+$/, "");
    const seen: string[] = [];
    const access = createBlobAccess({
      clients: world.clients,
      credential: new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
      accountUrl: (account, endpoint) => {
        seen.push(`${account}.${endpoint}`);
        return serviceUrl;
      },
    });
    const catalog = catalogOf([
      { name: "remote", account_name: "otheraccount", container_name: world.containerName },
    ]);
    const resolved = await resolveInput(
      { uri: "azureml://datastores/remote/paths/other/" },
      { catalog, access },
    );
    expect(seen).toEqual(["otheraccount.core.windows.net"]);
    expect(resolved.root).toEqual({
      kind: "blob",
      store: { kind: "account", url: serviceUrl },
      container: world.containerName,
      prefix: "other/",
    });
    expect(resolved.items.map((item) => item.name)).toEqual(["x.csv"]);
  });
});
