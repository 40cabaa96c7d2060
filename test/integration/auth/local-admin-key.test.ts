import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { localAdminKey } from "../../../src/auth/local-admin-key.js";
import { call } from "../../support/app-client.js";
import { appSettings, startAppProcess } from "../../support/app-process.js";

const localFile = z.object({ adminKey: z.string() }).passthrough();

async function tempFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "batchfn-local-")), ".batchfn", "local.json");
}

describe("the local host admin key", () => {
  it("is generated into .batchfn/local.json (0600) once, then read back; other fields are kept", async () => {
    const file = await tempFile();
    const first = await localAdminKey(undefined, file);
    expect(first).toMatchObject({ source: "generated", file });
    expect(first.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(localFile.parse(JSON.parse(await readFile(file, "utf8"))).adminKey).toBe(first.key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await localAdminKey(undefined, file)).toEqual({ key: first.key, source: "file", file });

    await writeFile(file, JSON.stringify({ adminKey: "short", uploads: { a: 1 } }));
    const replaced = await localAdminKey(undefined, file);
    expect(replaced.source).toBe("generated");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ adminKey: replaced.key, uploads: { a: 1 } });
  });

  it("comes from BATCHFN_ADMIN_KEY when it is set, and nothing is written", async () => {
    const file = await tempFile();
    expect(await localAdminKey("set-by-the-user-0123", file)).toEqual({
      key: "set-by-the-user-0123",
      source: "setting",
    });
    await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("lets a fresh app start without setup: printed, written, and accepted by every route", async () => {
    const file = await tempFile();
    const { BATCHFN_ADMIN_KEY: _set, ...settings } = await appSettings();
    const app = await startAppProcess(settings, ["--admin-key-file", file]);
    try {
      const key = localFile.parse(JSON.parse(await readFile(file, "utf8"))).adminKey;
      expect(app.output()).toContain(`Admin key: ${key}`);
      const headers = { "x-functions-key": key };
      expect((await call(`${app.url}/api/batch-endpoints`, { headers, admin: false })).status).toBe(200);
      expect((await call(`${app.url}/api/batch-endpoints`, { admin: false })).status).toBe(401);
    } finally {
      await app.stop();
    }
  });
});
