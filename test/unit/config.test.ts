import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BatchfnError } from "../../src/errors.js";

function configError(env: Record<string, string>, machine?: { memoryBytes: number }): BatchfnError {
  try {
    loadConfig(env, machine);
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("loadConfig accepted an invalid environment");
}

describe("loadConfig", () => {
  it("accepts UseDevelopmentStorage=true and applies the default containers and table prefix", () => {
    const config = loadConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(config.storage).toEqual({
      kind: "connectionString",
      connectionString: "UseDevelopmentStorage=true",
    });
    expect(config.containers).toEqual({
      data: "batchfn-data",
      artifacts: "batchfn-artifacts",
      inbox: "batchfn-inbox",
      outbox: "batchfn-outbox",
      jobs: "batchfn-jobs",
    });
    expect(config.tablePrefix).toBe("batchfn");
  });

  it("accepts an account-key connection string with explicit endpoints", () => {
    const cs =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:2/devstoreaccount1;TableEndpoint=http://127.0.0.1:3/devstoreaccount1";
    expect(loadConfig({ AzureWebJobsStorage: cs }).storage.kind).toBe("connectionString");
  });

  it("reads batchfn's own settings", () => {
    const config = loadConfig({
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      BATCHFN_INBOX_CONTAINER: "drop-here",
      BATCHFN_TABLE_PREFIX: "bf2",
    });
    expect(config.containers.inbox).toBe("drop-here");
    expect(config.tablePrefix).toBe("bf2");
  });

  it("builds identity-based storage from the account name", () => {
    const config = loadConfig({
      AzureWebJobsStorage__accountName: "mystore",
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: "00000000-0000-0000-0000-000000000001",
    });
    expect(config.storage).toEqual({
      kind: "identity",
      accountName: "mystore",
      blobServiceUri: "https://mystore.blob.core.windows.net",
      queueServiceUri: "https://mystore.queue.core.windows.net",
      tableServiceUri: "https://mystore.table.core.windows.net",
      credential: "managedidentity",
      clientId: "00000000-0000-0000-0000-000000000001",
    });
  });

  it("lets explicit service URIs override the account name", () => {
    const config = loadConfig({
      AzureWebJobsStorage__blobServiceUri: "https://b.example.net/",
      AzureWebJobsStorage__queueServiceUri: "https://q.example.net",
      AzureWebJobsStorage__tableServiceUri: "https://t.example.net",
    });
    expect(config.storage).toMatchObject({
      kind: "identity",
      blobServiceUri: "https://b.example.net",
      credential: "default",
    });
  });

  const invalid: Array<[string, Record<string, string>, string, RegExp]> = [
    ["nothing set", {}, "AzureWebJobsStorage", /AzureWebJobsStorage is not set/],
    [
      "not key=value",
      { AzureWebJobsStorage: "hello" },
      "AzureWebJobsStorage",
      /'hello' is not a Key=Value pair/,
    ],
    [
      "no key nor SAS",
      { AzureWebJobsStorage: "AccountName=x;BlobEndpoint=http://127.0.0.1:1" },
      "AzureWebJobsStorage",
      /must hold AccountName and AccountKey/,
    ],
    [
      "SAS without table endpoint",
      {
        AzureWebJobsStorage: "SharedAccessSignature=sv=1;BlobEndpoint=https://a.b;QueueEndpoint=https://a.q",
      },
      "AzureWebJobsStorage",
      /has no TableEndpoint/,
    ],
    [
      "only the blob URI",
      { AzureWebJobsStorage__blobServiceUri: "https://b.example.net" },
      "AzureWebJobsStorage__queueServiceUri",
      /AzureWebJobsStorage__queueServiceUri is required/,
    ],
    [
      "plain http to a remote host",
      {
        AzureWebJobsStorage__blobServiceUri: "http://b.example.net",
        AzureWebJobsStorage__queueServiceUri: "https://q.example.net",
        AzureWebJobsStorage__tableServiceUri: "https://t.example.net",
      },
      "AzureWebJobsStorage__blobServiceUri",
      /must be an https URL/,
    ],
    [
      "bad account name",
      { AzureWebJobsStorage__accountName: "My_Store" },
      "AzureWebJobsStorage__accountName",
      /3-24 lowercase letters or digits/,
    ],
    [
      "unknown credential",
      { AzureWebJobsStorage__accountName: "mystore", AzureWebJobsStorage__credential: "password" },
      "AzureWebJobsStorage__credential",
      /must be 'managedidentity'/,
    ],
    [
      "client id not a GUID",
      { AzureWebJobsStorage__accountName: "mystore", AzureWebJobsStorage__clientId: "abc" },
      "AzureWebJobsStorage__clientId",
      /must be a GUID/,
    ],
    [
      "invalid container name",
      { AzureWebJobsStorage: "UseDevelopmentStorage=true", BATCHFN_DATA_CONTAINER: "Bad_Name" },
      "BATCHFN_DATA_CONTAINER",
      /BATCHFN_DATA_CONTAINER must be a valid blob container name/,
    ],
    [
      "invalid table prefix",
      { AzureWebJobsStorage: "UseDevelopmentStorage=true", BATCHFN_TABLE_PREFIX: "1-x" },
      "BATCHFN_TABLE_PREFIX",
      /BATCHFN_TABLE_PREFIX must be letters and digits/,
    ],
  ];

  const GIB = 1024 ** 3;
  const storage = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };

  it.each([
    [0.5, 256],
    [2, 512],
    [4, 1024],
    [24, 2048],
  ])("gives scoring workers a quarter of a %s GiB machine's memory, 256-2048 MB", (gib, mb) => {
    expect(loadConfig(storage, { memoryBytes: gib * GIB }).scoring.workerMemoryMb).toBe(mb);
  });

  it("reads BATCHFN_INLINE_OUTPUT_BYTES (default 1024, 0 turns it off) and refuses other values", () => {
    expect(loadConfig(storage).scoring.inlineOutputBytes).toBe(1024);
    expect(loadConfig({ ...storage, BATCHFN_INLINE_OUTPUT_BYTES: "0" }).scoring.inlineOutputBytes).toBe(0);
    const refused: Array<[string, string]> = [
      ["-1", "must be at least 0"],
      ["5000", "must be at most 4096"],
      ["1.5", "must be a whole number of bytes"],
    ];
    for (const [value, message] of refused) {
      const error = configError({ ...storage, BATCHFN_INLINE_OUTPUT_BYTES: value });
      expect(error.details.map((d) => d.path)).toEqual(["BATCHFN_INLINE_OUTPUT_BYTES"]);
      expect(error.message).toContain(message);
    }
  });

  it("reads BATCHFN_WORKER_MEMORY_MB, up to the machine's memory", () => {
    const env = { ...storage, BATCHFN_WORKER_MEMORY_MB: "4096" };
    expect(loadConfig(env, { memoryBytes: 8 * GIB }).scoring.workerMemoryMb).toBe(4096);
    const error = configError(env, { memoryBytes: 2 * GIB });
    expect(error.details.map((d) => d.path)).toEqual(["BATCHFN_WORKER_MEMORY_MB"]);
    expect(error.message).toContain("BATCHFN_WORKER_MEMORY_MB must be at most 2048");
  });

  it.each([
    ["64", "must be at least 128"],
    ["lots", "must be a number of MB"],
    ["512.5", "must be a whole number of MB"],
  ])("refuses BATCHFN_WORKER_MEMORY_MB=%s", (value, message) => {
    const error = configError({ ...storage, BATCHFN_WORKER_MEMORY_MB: value });
    expect(error.details.map((d) => d.path)).toEqual(["BATCHFN_WORKER_MEMORY_MB"]);
    expect(error.message).toContain(message);
  });

  it.each(invalid)("refuses %s, naming the setting", (_label, env, setting, message) => {
    const error = configError(env);
    expect(error.code).toBe("InvalidConfig");
    expect(error.details.map((d) => d.path)).toContain(setting);
    expect(error.message).toMatch(message);
  });

  it("reports every bad setting at once", () => {
    const error = configError({
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      BATCHFN_DATA_CONTAINER: "A",
      BATCHFN_JOBS_CONTAINER: "B",
    });
    expect(error.details.map((d) => d.path).sort()).toEqual([
      "BATCHFN_DATA_CONTAINER",
      "BATCHFN_JOBS_CONTAINER",
    ]);
  });
});
