import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { type JobInput, parseInputReference } from "../../../src/io/inputs/input-reference.js";
import { parseBlobUrl } from "../../../src/io/inputs/url-input.js";
import { checkInputUrl } from "../../../src/io/inputs/url-policy.js";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (thrown) {
    return thrown instanceof BatchfnError ? thrown.code : `not a BatchfnError: ${String(thrown)}`;
  }
}

describe("parseInputReference", () => {
  it.each<[JobInput, ReturnType<typeof parseInputReference>]>([
    [{ uri: "azureml://datastores/ws/paths/data/" }, { kind: "datastore", datastore: "ws", path: "data/" }],
    [{ uri: "azureml://datastores/ws/paths/" }, { kind: "datastore", datastore: "ws", path: "" }],
    [{ uri: "azureml://datastores/ws/paths" }, { kind: "datastore", datastore: "ws", path: "" }],
    [
      { uri: "azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/ws/paths/a/b.csv" },
      { kind: "datastore", datastore: "ws", path: "a/b.csv" },
    ],
    [
      { uri: "azureml://datastores/ws/paths/a%20b/c.csv" },
      { kind: "datastore", datastore: "ws", path: "a b/c.csv" },
    ],
    [
      { datastore: "ws", path: "data/x:y.csv" },
      { kind: "datastore", datastore: "ws", path: "data/x:y.csv" },
    ],
    [{ uri: "heart-data:3" }, { kind: "data", name: "heart-data", version: "3" }],
    [{ uri: "azureml:heart-data:3" }, { kind: "data", name: "heart-data", version: "3" }],
    [{ uri: "azureml:heart-data@latest" }, { kind: "data", name: "heart-data", version: "latest" }],
    [
      { uri: "https://acct.blob.core.windows.net/c/x.csv" },
      { kind: "url", url: "https://acct.blob.core.windows.net/c/x.csv" },
    ],
  ])("%j", (input, expected) => {
    expect(parseInputReference(input)).toEqual(expected);
  });

  it.each<[JobInput, string]>([
    [{ uri: "azureml://datastores/ws/paths/../x" }, "InvalidInput"],
    [{ uri: "azureml://datastores/ws/paths/a/./x" }, "InvalidInput"],
    [{ uri: "azureml://datastores/ws/paths//etc/passwd" }, "InvalidInput"],
    [{ uri: "azureml://datastores/ws/files/x" }, "InvalidInput"],
    [{ datastore: "ws", path: "/home/me/data" }, "InvalidInput"],
    [{ datastore: "ws", path: "~/data" }, "InvalidInput"],
    [{ datastore: "ws", path: "D:/data" }, "InvalidInput"],
    [{ datastore: "ws", path: "a\\b" }, "InvalidInput"],
    [{ datastore: "ws", path: "a/../../b" }, "InvalidInput"],
    [{ uri: "wasbs://c@acct.blob.core.windows.net/x" }, "InvalidInput"],
    [{ uri: "./local/folder" }, "InvalidInput"],
    [{ uri: "file:///etc/passwd" }, "InvalidInput"],
  ])("refuses %j", (input, code) => {
    expect(codeOf(() => parseInputReference(input))).toBe(code);
  });
});

describe("checkInputUrl", () => {
  it("accepts https and, only when private addresses are allowed, http", () => {
    expect(checkInputUrl("https://example.com/a.csv").href).toBe("https://example.com/a.csv");
    expect(checkInputUrl("http://127.0.0.1:10000/a", { allowPrivate: true }).host).toBe("127.0.0.1:10000");
    expect(codeOf(() => checkInputUrl("http://127.0.0.1:10000/a"))).toBe("InvalidInput");
    expect(checkInputUrl("http://example.com/a", { allowPrivate: true }).protocol).toBe("http:");
    expect(codeOf(() => checkInputUrl("http://example.com/a"))).toBe("InvalidInput");
    expect(codeOf(() => checkInputUrl("ftp://example.com/a"))).toBe("InvalidInput");
    expect(codeOf(() => checkInputUrl("not a url"))).toBe("InvalidInput");
  });

  it("refuses credentials in the URL without echoing them", () => {
    try {
      checkInputUrl("https://user:secret@example.com/a.csv");
      expect.unreachable();
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(BatchfnError);
      expect(String((thrown as Error).message)).not.toContain("secret");
    }
  });
});

describe("parseBlobUrl", () => {
  it("takes blob service URLs apart, path-style on loopback", () => {
    expect(parseBlobUrl(new URL("https://acct.blob.core.windows.net/data/heart/2024/a.csv"))).toEqual({
      serviceUrl: "https://acct.blob.core.windows.net",
      container: "data",
      path: "heart/2024/a.csv",
    });
    expect(parseBlobUrl(new URL("http://127.0.0.1:10000/devstoreaccount1/data/x%20y"))).toEqual({
      serviceUrl: "http://127.0.0.1:10000/devstoreaccount1",
      container: "data",
      path: "x y",
    });
    expect(parseBlobUrl(new URL("https://example.com/data/a.csv"))).toBeUndefined();
    expect(parseBlobUrl(new URL("https://acct.blob.core.windows.net/"))).toBeUndefined();
  });
});
