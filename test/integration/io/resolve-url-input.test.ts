import { mkdtemp, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { downloadItem } from "../../../src/io/inputs/download-item.js";
import { resolveInput } from "../../../src/io/inputs/resolve-input.js";
import { putBlobs, storageWorld } from "./input-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

const REPORT = "id,value\n1,2\n";

/** A plain web server that refuses HEAD, like some CDNs do, and answers ranged GETs. */
function startFileServer(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === "/files/broken.csv") {
      response.writeHead(503).end();
      return;
    }
    if (request.url !== "/files/report.csv") {
      response.writeHead(404).end();
      return;
    }
    if (request.method === "HEAD") {
      response.writeHead(405).end();
      return;
    }
    const range = request.headers.range;
    if (range === "bytes=0-0") {
      response.writeHead(206, { "content-range": `bytes 0-0/${REPORT.length}`, etag: '"v1"' }).end(REPORT[0]);
      return;
    }
    response.writeHead(200, { etag: '"v1"', "content-length": REPORT.length }).end(REPORT);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("resolveInput on http(s) URLs", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await startFileServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("lists a public blob folder anonymously, nested and sorted", async () => {
    const world = await storageWorld({ publicAccess: "container" });
    await putBlobs(world.container, {
      "heart/z.csv": "z",
      "heart/2024/a.csv": "a",
      "heart/b.csv": "b",
      "x.csv": "x",
    });
    const resolved = await resolveInput(
      { uri: `${world.container.url}/heart` },
      { ...world, allowHttp: true },
    );
    expect(resolved.type).toBe("uri_folder");
    expect(resolved.root).toMatchObject({ kind: "blob", store: { kind: "public" }, prefix: "heart/" });
    expect(resolved.items.map((item) => item.name)).toEqual(["2024/a.csv", "b.csv", "z.csv"]);

    const whole = await resolveInput({ uri: `${world.container.url}/` }, { ...world, allowHttp: true });
    expect(whole.items.map((item) => item.name)).toEqual([
      "heart/2024/a.csv",
      "heart/b.csv",
      "heart/z.csv",
      "x.csv",
    ]);
  });

  it("refuses plain http unless allowHttp is set", async () => {
    const error = await failure(resolveInput({ uri: `${base}/files/report.csv` }, await storageWorld()));
    expect(error.code).toBe("InvalidInput");
    expect(error.message).toContain("must be an https URL");
  });

  it("checks a file URL with HEAD, falling back to a one-byte GET, and downloads it later", async () => {
    const world = await storageWorld();
    const resolved = await resolveInput({ uri: `${base}/files/report.csv` }, { ...world, allowHttp: true });
    expect(resolved.type).toBe("uri_file");
    expect(resolved.root).toEqual({ kind: "url", url: `${base}/files/report.csv` });
    expect(resolved.items).toEqual([{ name: "report.csv", size: REPORT.length, etag: '"v1"' }]);

    const dir = await mkdtemp(join(tmpdir(), "batchfn-url-"));
    const item = resolved.items[0];
    if (!item) throw new Error("no item");
    await downloadItem({ root: resolved.root, item, target: join(dir, "report.csv"), access: world.access });
    expect(await readFile(join(dir, "report.csv"), "utf8")).toBe(REPORT);

    const changed = await failure(
      downloadItem({
        root: resolved.root,
        item: { ...item, etag: '"v0"' },
        target: join(dir, "x.csv"),
        access: world.access,
      }),
    );
    expect(changed.code).toBe("InputChanged");
  });

  it("answers InputNotFound for a missing file URL and a blob URL with nothing behind it", async () => {
    const world = await storageWorld({ publicAccess: "container" });
    const missing = await failure(
      resolveInput({ uri: `${base}/files/nope.csv` }, { ...world, allowHttp: true }),
    );
    expect(missing.code).toBe("InputNotFound");
    expect(missing.message).toContain(`${base}/files/nope.csv`);

    const broken = await failure(
      resolveInput({ uri: `${base}/files/broken.csv` }, { ...world, allowHttp: true }),
    );
    expect(broken.code).toBe("InputUnreachable");
    expect(broken.message).toContain("HTTP 503");

    const noBlob = await failure(
      resolveInput({ uri: `${world.container.url}/absent` }, { ...world, allowHttp: true }),
    );
    expect(noBlob.code).toBe("InputNotFound");
    expect(noBlob.message).toContain(`${world.container.url}/absent`);
  });

  it("treats a public blob URL as a file and downloads blob items pinned to their ETag", async () => {
    const world = await storageWorld({ publicAccess: "blob" });
    await putBlobs(world.container, { "d/one.csv": "1,2\n" });
    const resolved = await resolveInput(
      { uri: `${world.container.url}/d/one.csv` },
      { ...world, allowHttp: true },
    );
    expect(resolved.type).toBe("uri_file");
    expect(resolved.items).toEqual([expect.objectContaining({ name: "one.csv", size: 4 })]);

    const folder = await resolveInput({ datastore: "ws", path: "d" }, world);
    const item = folder.items[0];
    if (!item) throw new Error("no item");
    const dir = await mkdtemp(join(tmpdir(), "batchfn-blob-"));
    await downloadItem({
      root: folder.root,
      item,
      target: join(dir, "nested", "one.csv"),
      access: world.access,
    });
    expect(await readFile(join(dir, "nested", "one.csv"), "utf8")).toBe("1,2\n");

    await putBlobs(world.container, { "d/one.csv": "changed\n" });
    const changed = await failure(
      downloadItem({ root: folder.root, item, target: join(dir, "again.csv"), access: world.access }),
    );
    expect(changed.code).toBe("InputChanged");
    expect(changed.message).toContain("one.csv");
  });
});
