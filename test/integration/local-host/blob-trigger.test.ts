import { afterEach, describe, expect, it, vi } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { createLocalHost, type LocalHost } from "../../../src/local-host/local-host.js";
import { type FiredBlob, firedBlobs } from "../../fixtures/local-host-app/fired-blobs.js";
import { testClients, testConfig, uniqueName } from "../../support/storage.js";
import { fixtureApps, startFixtureHost } from "./local-host-fixture.js";

const hosts: LocalHost[] = [];

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
});

async function setup() {
  const config = testConfig();
  const inbox = uniqueName("inbox");
  const container = testClients(config).blob.getContainerClient(inbox);
  await container.create();
  const upload = async (name: string, text: string, metadata?: Record<string, string>) => {
    const result = await container
      .getBlockBlobClient(name)
      .upload(text, Buffer.byteLength(text), { metadata });
    return result.etag ?? "";
  };
  const fired = (): FiredBlob[] => firedBlobs().filter((f) => f.blobTrigger.startsWith(`${inbox}/`));
  const start = async (options: { blobPollIntervalMs?: number; blobMaxAttempts?: number } = {}) => {
    const host = await startFixtureHost({ storage: config, inbox, ...options });
    hosts.push(host);
    return host;
  };
  return { config, inbox, container, upload, fired, start };
}

describe("blob trigger", () => {
  it("fires once per blob version with the blob's bytes and metadata, also after a restart", async () => {
    const { inbox, container, upload, fired, start } = await setup();
    const etagA = await upload("incoming/a.txt", "alpha", { source: "test" });
    const etagB = await upload("incoming/sub/b.txt", "beta");
    await upload("elsewhere/c.txt", "not watched");

    const first = await start();
    await first.pollBlobs();
    expect(fired().sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        name: "a.txt",
        blobTrigger: `${inbox}/incoming/a.txt`,
        uri: container.getBlobClient("incoming/a.txt").url,
        content: "alpha",
        isBuffer: true,
        etag: etagA,
        contentLength: 5,
        metadata: { source: "test" },
      },
      expect.objectContaining({ name: "sub/b.txt", content: "beta", etag: etagB, metadata: {} }),
    ]);
    await first.pollBlobs();
    expect(fired()).toHaveLength(2);

    const etagA2 = await upload("incoming/a.txt", "alpha v2");
    await first.pollBlobs();
    expect(fired().map((f) => [f.name, f.content, f.etag])).toEqual(
      expect.arrayContaining([
        ["a.txt", "alpha", etagA],
        ["sub/b.txt", "beta", etagB],
      ]),
    );
    expect(fired().map((f) => [f.name, f.content, f.etag])[2]).toEqual(["a.txt", "alpha v2", etagA2]);

    await first.stop();
    hosts.splice(0);
    const second = await start();
    await second.pollBlobs();
    expect(fired()).toHaveLength(3);
    await upload("incoming/d.txt", "delta");
    await second.pollBlobs();
    expect(fired().map((f) => f.name)).toHaveLength(4);
    expect(fired()[3]).toMatchObject({ name: "d.txt", content: "delta" });
  });

  it("polls on its own: 20 uploads fire 20 invocations, each once", async () => {
    const { upload, fired, start } = await setup();
    const host = await start({ blobPollIntervalMs: 50 });
    const names = Array.from({ length: 20 }, (_, i) => `file-${String(i).padStart(2, "0")}.csv`);
    await Promise.all(names.map((name) => upload(`incoming/${name}`, `content of ${name}`)));
    await vi.waitFor(() => expect(fired()).toHaveLength(20), { timeout: 20_000, interval: 50 });
    await host.pollBlobs();
    expect(
      fired()
        .map((f) => f.name)
        .sort(),
    ).toEqual(names);
    expect(fired().every((f) => f.content === `content of ${f.name}`)).toBe(true);
  });

  it("retries a failing blob on later scans and gives it up after the last attempt, across restarts", async () => {
    const { upload, fired, start } = await setup();
    await upload("incoming/bad.txt", "fail always");
    const first = await start({ blobMaxAttempts: 2 });
    await first.pollBlobs();
    expect(fired()).toHaveLength(1);
    await first.pollBlobs();
    expect(fired()).toHaveLength(2);
    await first.pollBlobs();
    expect(fired()).toHaveLength(2);
    await first.stop();
    hosts.splice(0);
    const second = await start({ blobMaxAttempts: 2 });
    await second.pollBlobs();
    expect(fired()).toHaveLength(2);
    await upload("incoming/bad.txt", "now fine");
    await second.pollBlobs();
    expect(fired().map((f) => f.content)).toEqual(["fail always", "fail always", "now fine"]);
  });

  it("refuses to start when the path names an app setting that is not set", async () => {
    const host = createLocalHost({
      appDir: fixtureApps.main,
      port: 0,
      storage: testConfig(),
      env: {},
      log: () => {},
    });
    const failure = await host.start().catch((thrown: unknown) => thrown);
    expect(failure).toBeInstanceOf(BatchfnError);
    expect(failure).toMatchObject({ code: "InvalidConfig" });
    expect((failure as BatchfnError).message).toContain("'LOCAL_HOST_FIXTURE_INBOX'");
  });
});
