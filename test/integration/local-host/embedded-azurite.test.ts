import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
    const created = await call(`${app.url}/api/batch-endpoints/kept`, { method: "PUT", body: {} });
    expect(created.status).toBe(201);
    azuritePid = Number(await readFile(join(dir, "azurite.pid"), "utf8"));

    await app.kill();
    app = undefined;
    expect(isAlive(azuritePid)).toBe(true);
    expect(await answers(port)).toBe(true);

    app = await startAppProcess(settings, args);
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
