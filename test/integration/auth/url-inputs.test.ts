import { mkdtemp, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { createBlobAccess } from "../../../src/io/inputs/blob-access.js";
import { downloadItem } from "../../../src/io/inputs/download-item.js";
import { fetchInputUrl, type InputTransport } from "../../../src/io/inputs/input-fetch.js";
import { resolveUrlInput } from "../../../src/io/inputs/url-input.js";
import { checkInputHost } from "../../../src/io/inputs/url-policy.js";
import { testClients } from "../../support/storage.js";

const CSV = "a,b\n1,2\n";
let server: Server;
let port: number;
const hits = new Map<string, number>();

async function refusal(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const redirects: Record<string, string> = {
      "/to-metadata": "http://169.254.169.254/latest/meta-data/",
      "/to-v6-metadata": "http://[fd00:ec2::254]/latest/meta-data/",
      "/to-localhost": `http://localhost:${port}/data.csv`,
      "/loop": "/loop",
    };
    const target = redirects[path];
    if (target) {
      response.writeHead(302, { location: target }).end();
      return;
    }
    if (path === "/data.csv") {
      response
        .writeHead(200, { etag: '"v1"', "content-length": CSV.length })
        .end(request.method === "HEAD" ? "" : CSV);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("URL inputs under the strict policy (the default)", () => {
  it("refuses a host name that resolves to loopback before connecting", async () => {
    const error = await refusal(fetchInputUrl(`https://localhost:${port}/data.csv`, { policy: {} }));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toMatch(/resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(hits.get("/data.csv") ?? 0).toBe(0);
    const resolved = await refusal(resolveUrlInput({ url: `https://localhost:${port}/data.csv` }));
    expect(resolved.code).toBe("InvalidInput");
    expect(await refusal(checkInputHost(new URL("https://localhost/x"), {}))).toMatchObject({
      code: "InvalidInput",
    });
  });

  it("checks every address a name resolves to", async () => {
    const resolve = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    const error = await refusal(checkInputHost(new URL("https://files.example.test/x.csv"), {}, resolve));
    expect(error.message).toContain("resolves to 10.0.0.7, a private (10.0.0.0/8) address");
    const metadata = async () => [{ address: "169.254.169.254", family: 4 }];
    const always = await refusal(
      checkInputHost(new URL("https://files.example.test/x.csv"), { allowPrivate: true }, metadata),
    );
    expect(always.message).toContain("never fetches");
  });

  it("re-checks each redirect and refuses one to a private address without following it", async () => {
    const sent: string[] = [];
    const transport: InputTransport = async (url) => {
      sent.push(url.href);
      return new Response(null, { status: 302, headers: { location: "https://10.0.0.5/secret" } });
    };
    const error = await refusal(fetchInputUrl("https://93.184.215.14/data.csv", { policy: {}, transport }));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain("10.0.0.5");
    expect(sent).toEqual(["https://93.184.215.14/data.csv"]);

    const toLoopback: InputTransport = async () =>
      new Response(null, { status: 301, headers: { location: "https://[::1]/secret" } });
    const v6 = await refusal(fetchInputUrl("https://93.184.215.14/a", { policy: {}, transport: toLoopback }));
    expect(v6.message).toContain("::1, a loopback address");
  });

  it("lists only Azure Storage hosts as public folders", async () => {
    const error = await refusal(resolveUrlInput({ url: "https://acct.blob.example.test/container/" }));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain("not an Azure blob URL");
  });

  it("checks again when an item is downloaded", async () => {
    const clients = testClients();
    const dir = await mkdtemp(join(tmpdir(), "batchfn-ssrf-"));
    const root = { kind: "url" as const, url: `http://localhost:${port}/data.csv` };
    const item = { name: "data.csv", etag: '"v1"' };
    const strict = createBlobAccess({ clients });
    const error = await refusal(downloadItem({ root, item, target: join(dir, "a.csv"), access: strict }));
    expect(error.code).toBe("InvalidInput");
    const lenient = createBlobAccess({ clients, urlPolicy: { allowPrivate: true } });
    await downloadItem({ root, item, target: join(dir, "b.csv"), access: lenient });
    expect(await readFile(join(dir, "b.csv"), "utf8")).toBe(CSV);
  });
});

describe("URL inputs with BATCHFN_ALLOW_PRIVATE_URL_INPUTS=true", () => {
  const policy = { allowPrivate: true };

  it("follows a redirect to an allowed host", async () => {
    const response = await fetchInputUrl(`http://127.0.0.1:${port}/to-localhost`, { policy });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CSV);
  });

  it("refuses redirects to metadata addresses, IPv4 and IPv6, without following them", async () => {
    for (const path of ["/to-metadata", "/to-v6-metadata"]) {
      const error = await refusal(fetchInputUrl(`http://127.0.0.1:${port}${path}`, { policy }));
      expect(error.code).toBe("InvalidInput");
      expect(error.message).toContain("never fetches");
      expect(hits.get(path)).toBe(1);
    }
  });

  it("gives up on endless redirects", async () => {
    const error = await refusal(fetchInputUrl(`http://127.0.0.1:${port}/loop`, { policy, maxRedirects: 3 }));
    expect(error.code).toBe("InputUnreachable");
    expect(error.message).toContain("redirects more than 3 times");
    expect(hits.get("/loop")).toBe(4);
  });
});
