import { createServer } from "node:net";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createRegistryApi } from "../../../src/api/registry/registry-api.js";
import { createUploadSigner } from "../../../src/api/registry/upload-signer.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("the API while storage is down", () => {
  it("answers 503 StorageUnavailable without the storage address or the socket error", async () => {
    const port = await closedPort();
    const account = "devstoreaccount1";
    const endpoint = (service: string) => `${service}Endpoint=http://127.0.0.1:${port}/${account}`;
    const config = loadConfig({
      AzureWebJobsStorage: `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=a2V5;${endpoint("Blob")};${endpoint("Queue")};${endpoint("Table")}`,
    });
    const clients = createStorageClients(config.storage);
    const registry = createRegistry({ clients, config });
    const api = createRegistryApi({
      registry,
      workDir: "/tmp",
      signer: createUploadSigner({ blob: clients.blob }),
      artifactsContainer: config.containers.artifacts,
    });
    const response = await api.listEndpoints(
      new HttpRequest({ method: "GET", url: "http://127.0.0.1:7071/api/batch-endpoints" }),
      new InvocationContext(),
    );
    const body = response.jsonBody as { error: { code: string; message: string } };
    expect([response.status, body.error.code]).toEqual([503, "StorageUnavailable"]);
    expect(response.headers).toMatchObject({ "retry-after": "5" });
    expect(body.error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d{4,5}/);
  }, 60_000);
});
