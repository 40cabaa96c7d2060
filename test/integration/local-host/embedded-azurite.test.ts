import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAzurite } from "../../../src/storage/embedded-azurite.js";
import { call } from "../../support/app-client.js";
import { type AppProcess, appSettings, startAppProcess } from "../../support/app-process.js";

let app: AppProcess | undefined;
let azuritePid: number | undefined;

afterAll(async () => {
  await app?.stop();
  if (azuritePid !== undefined && isAlive(azuritePid)) process.kill(azuritePid, "SIGKILL");
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port P such that P, P+1 and P+2 are free on loopback. */
async function threeFreePorts(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all([0, 1, 2].map((i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/devstoreaccount1?comp=list`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe("the embedded Azurite of npm start", () => {
  it("survives a crash of the host, is reused by the next start, and stops with a clean stop", async () => {
    const port = await threeFreePorts();
    const dir = await mkdtemp(join(tmpdir(), "batchfn-embedded-"));
    const settings = await appSettings();
    const args = ["--storage", "embedded", "--azurite-port", String(port), "--azurite-dir", dir];
    app = await startAppProcess(settings, args);
    expect(app.output()).toContain(
      `Azurite: started (blob 127.0.0.1:${port}, queue ${port + 1}, table ${port + 2}), data in ${dir}`,
    );
    const created = await call(`${app.url}/api/batch-endpoints/kept`, { method: "PUT", body: {} });
    expect(created.status).toBe(201);
    azuritePid = Number(await readFile(join(dir, "azurite.pid"), "utf8"));

    await app.kill();
    app = undefined;
    expect(isAlive(azuritePid)).toBe(true);
    expect(await answers(port)).toBe(true);

    app = await startAppProcess(settings, args);
    expect(app.output()).toContain(
      `Azurite: reusing the one an earlier start left running (blob 127.0.0.1:${port}, queue ${port + 1}, table ${port + 2}), data in ${dir}`,
    );
    const kept = await call(`${app.url}/api/batch-endpoints/kept`);
    expect(kept.status).toBe(200);
    expect(Number(await readFile(join(dir, "azurite.pid"), "utf8"))).toBe(azuritePid);

    await app.stop();
    app = undefined;
    const deadline = Date.now() + 10_000;
    while (isAlive(azuritePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(azuritePid)).toBe(false);
    expect(await answers(port)).toBe(false);
    await expect(readFile(join(dir, "azurite.pid"), "utf8")).rejects.toThrow(/ENOENT/);
  }, 120_000);
});

describe("npm start's Azurite, said", () => {
  it("--in-memory: an Azurite of its own on free ports, which stops with the host", async () => {
    const own = await startAppProcess(await appSettings(), ["--storage", "embedded", "--in-memory"]);
    let stopped = false;
    try {
      const line =
        /Azurite: in memory, on free ports of its own \(blob 127\.0\.0\.1:(\d+), queue (\d+), table (\d+)\); nothing is shared or kept, and it stops with the host/.exec(
          own.output(),
        );
      expect(line, own.output()).not.toBeNull();
      const [blob, queue, table] = (line ?? []).slice(1).map(Number);
      expect(own.output()).toContain(`BlobEndpoint=http://127.0.0.1:${blob}/`);
      expect(own.output()).toContain(`QueueEndpoint=http://127.0.0.1:${queue}/`);
      expect(own.output()).toContain(`TableEndpoint=http://127.0.0.1:${table}/`);
      expect((await call(`${own.url}/api/batch-endpoints/mine`, { method: "PUT", body: {} })).status).toBe(
        201,
      );
      expect(await answers(blob ?? 0)).toBe(true);
      await own.stop();
      stopped = true;
      expect(await answers(blob ?? 0)).toBe(false);
    } finally {
      if (!stopped) await own.stop();
    }
  }, 120_000);

  it("reuses an Azurite already answering on its ports, says so, and leaves it running; --in-memory refuses it", async () => {
    const port = await threeFreePorts();
    const other = await startAzurite({
      inMemory: true,
      ports: { blob: port, queue: port + 1, table: port + 2 },
    });
    try {
      const dir = await mkdtemp(join(tmpdir(), "batchfn-embedded-"));
      const args = ["--storage", "embedded", "--azurite-port", String(port), "--azurite-dir", dir];
      const reusing = await startAppProcess(await appSettings(), args);
      try {
        expect(reusing.output()).toContain(
          `Azurite: reusing an Azurite already answering (blob 127.0.0.1:${port}, queue ${port + 1}, table ${port + 2}), not started by batchfn`,
        );
      } finally {
        await reusing.stop();
      }
      expect(await answers(port)).toBe(true);

      const refused = await startAppProcess(await appSettings(), [...args, "--in-memory"]).then(
        async (started) => {
          await started.stop();
          return "started";
        },
        (thrown: unknown) => String(thrown),
      );
      expect(refused).toContain(
        `an Azurite already answers on 127.0.0.1:${port}; --in-memory starts storage of its own`,
      );
    } finally {
      await other.stop();
    }
  }, 120_000);
});
