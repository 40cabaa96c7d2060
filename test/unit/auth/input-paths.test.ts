import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { checkDatastorePath } from "../../../src/io/inputs/datastore-path.js";
import { parseInputReference } from "../../../src/io/inputs/input-reference.js";
import { checkInputUrl } from "../../../src/io/inputs/url-policy.js";

function refusal(run: () => unknown): BatchfnError {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("accepted");
}

describe("input and output paths", () => {
  it.each([
    ["azureml://datastores/workspaceblobstore/paths/../other-container/x.csv", "'..'"],
    ["azureml://datastores/workspaceblobstore/paths/data/../../x.csv", "'..'"],
    ["azureml://datastores/workspaceblobstore/paths/data/%2E%2E/x.csv", "'..'"],
    ["azureml://datastores/workspaceblobstore/paths/./x.csv", "'.'"],
    ["azureml://datastores/workspaceblobstore/paths//etc/passwd", "absolute"],
    ["azureml://datastores/workspaceblobstore/paths/data\\..\\x.csv", "backslash"],
  ])("refuses the datastore URI %s", (uri, words) => {
    const error = refusal(() => parseInputReference({ uri }));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain(words);
    expect(error.message).toContain(uri);
  });

  it.each([
    ["../x", "'..'"],
    ["a/../../x", "'..'"],
    ["/etc/passwd", "absolute"],
    ["C:\\Windows\\win.ini", "absolute"],
    ["~/secrets", "absolute"],
    ["file:///etc/passwd", "absolute"],
  ])("refuses the path %s given as {datastore, path} (inputs and output paths alike)", (path, words) => {
    const error = refusal(() => checkDatastorePath(path, `ws:${path}`));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain(words);
  });

  it("keeps ordinary relative paths as they are", () => {
    expect(checkDatastorePath("data/2024/x..csv", "ws")).toBe("data/2024/x..csv");
    expect(parseInputReference({ uri: "azureml://datastores/ws/paths/data/" })).toEqual({
      kind: "datastore",
      datastore: "ws",
      path: "data/",
    });
  });
});

describe("URL inputs given as addresses", () => {
  it.each([
    ["https://127.0.0.1/x.csv", "loopback"],
    ["https://10.1.2.3/x.csv", "10.0.0.0/8"],
    ["https://[::1]/x.csv", "loopback"],
    ["https://[::ffff:127.0.0.1]/x.csv", "loopback"],
    ["https://2130706433/x.csv", "loopback"],
    ["https://0x7f.1/x.csv", "loopback"],
    ["https://100.64.1.1/x.csv", "100.64.0.0/10"],
  ])("refuses %s unless private addresses are allowed", (uri, label) => {
    const error = refusal(() => checkInputUrl(uri));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain(label);
    expect(error.message).toContain("BATCHFN_ALLOW_PRIVATE_URL_INPUTS");
    expect(checkInputUrl(uri, { allowPrivate: true }).protocol).toBe("https:");
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://[fe80::1]/x", "link-local"],
    ["https://[fd00:ec2::254]/latest/meta-data/", "metadata"],
    ["http://168.63.129.16/machine", "Azure platform"],
    ["http://0.0.0.0:8080/x", "unspecified"],
  ])("always refuses %s, even with private addresses allowed", (uri, label) => {
    const error = refusal(() => checkInputUrl(uri, { allowPrivate: true }));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain(label);
    expect(error.message).toContain("never fetches");
  });

  it("refuses http unless private addresses are allowed", () => {
    const error = refusal(() => checkInputUrl("http://example.com/x.csv"));
    expect(error.message).toContain("must be an https URL");
  });
});
