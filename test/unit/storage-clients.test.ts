import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { appCredential, createStorageClients } from "../../src/storage/clients.js";

describe("createStorageClients", () => {
  it("points identity-based clients at the configured service URIs", () => {
    const config = loadConfig({
      AzureWebJobsStorage__accountName: "mystore",
      AzureWebJobsStorage__credential: "managedidentity",
    });
    const clients = createStorageClients(config.storage);
    expect(clients.blob.url).toBe("https://mystore.blob.core.windows.net/");
    expect(clients.queue.url).toBe("https://mystore.queue.core.windows.net");
    expect(clients.tables.url).toBe("https://mystore.table.core.windows.net");
    expect(clients.table("batchfnEndpoints").tableName).toBe("batchfnEndpoints");
  });

  it("uses the configured managed identity as the app's credential, else DefaultAzureCredential", () => {
    const identity = loadConfig({
      AzureWebJobsStorage__accountName: "mystore",
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: "00000000-0000-0000-0000-000000000001",
    });
    expect(appCredential(identity.storage)).toBeInstanceOf(ManagedIdentityCredential);
    const keyed = loadConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(appCredential(keyed.storage)).toBeInstanceOf(DefaultAzureCredential);
    expect(appCredential(undefined)).toBeInstanceOf(DefaultAzureCredential);
  });

  it("resolves UseDevelopmentStorage=true to Azurite's default ports", () => {
    const clients = createStorageClients(
      loadConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true" }).storage,
    );
    expect(clients.blob.url).toBe("http://127.0.0.1:10000/devstoreaccount1");
    expect(clients.queue.url).toBe("http://127.0.0.1:10001/devstoreaccount1");
    expect(clients.tables.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
  });
});
