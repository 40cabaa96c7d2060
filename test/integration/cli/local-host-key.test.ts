import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveCredentials } from "../../../src/cli/api/credentials.js";
import { BatchfnError } from "../../../src/errors.js";
import { recordLocalHost } from "../../../src/local-host/local-hosts-record.js";
import { localHostsFilePath } from "../../../src/spec/local-hosts-file.js";

/**
 * The contract between `npm start` (which records its admin key under its URL in the per-user
 * local-hosts file) and the CLI (which finds it there from any folder, for that URL only).
 */
let home: string;
let env: Record<string, string>;
let file: string;
/** A working folder with no `.batchfn/local.json` above it. */
let elsewhere: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "batchfn-config-"));
  env = { BATCHFN_CONFIG_DIR: join(home, "config") };
  file = localHostsFilePath(env);
  elsewhere = join(home, "project");
  await mkdir(elsewhere);
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const credentials = (url: string, extra: Record<string, string> = {}, cwd = elsewhere) =>
  resolveCredentials({ env: { ...env, ...extra }, cwd }, url);

describe("the local host's admin key, recorded by npm start for the CLI", () => {
  it("is written to a file only its user reads, in a folder only its user enters", async () => {
    await recordLocalHost(file, { url: "http://127.0.0.1:7071", adminKey: "key-7071", appDir: "/app" });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, "config"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      "http://127.0.0.1:7071": { adminKey: "key-7071", appDir: "/app" },
    });
  });

  it("is found from any folder for the URL it was recorded for, and for that URL only", async () => {
    await recordLocalHost(file, { url: "http://127.0.0.1:7071", adminKey: "key-7071", appDir: "/a" });
    await recordLocalHost(file, { url: "http://127.0.0.1:7072/", adminKey: "key-7072", appDir: "/b" });
    expect((await credentials("http://127.0.0.1:7071")).headers).toEqual({ "x-functions-key": "key-7071" });
    expect((await credentials("http://localhost:7072")).headers).toEqual({ "x-functions-key": "key-7072" });
    expect((await credentials("http://127.0.0.1:7071")).source).toBe(`${file} (http://127.0.0.1:7071)`);
    expect(await credentials("http://127.0.0.1:7073")).toEqual({ headers: {}, source: "none" });
    expect(await credentials("https://127.0.0.1:7071")).toEqual({ headers: {}, source: "none" });
  });

  it("is never sent to another host, whatever the file says", async () => {
    await mkdir(join(home, "config"));
    await writeFile(
      file,
      JSON.stringify({
        "http://10.0.0.5:7071": { adminKey: "stolen" },
        "https://example.org": { adminKey: "stolen" },
      }),
    );
    expect(await credentials("http://10.0.0.5:7071")).toEqual({ headers: {}, source: "none" });
    expect(await credentials("https://example.org")).toEqual({ headers: {}, source: "none" });
  });

  it("gives way to BATCHFN_KEY and BATCHFN_TOKEN, and is taken before a .batchfn/local.json", async () => {
    await recordLocalHost(file, { url: "http://127.0.0.1:7071", adminKey: "recorded", appDir: "/a" });
    await mkdir(join(elsewhere, ".batchfn"));
    await writeFile(join(elsewhere, ".batchfn", "local.json"), JSON.stringify({ adminKey: "folder" }));
    expect((await credentials("http://127.0.0.1:7071", { BATCHFN_KEY: "given" })).headers).toEqual({
      "x-functions-key": "given",
    });
    expect((await credentials("http://127.0.0.1:7071", { BATCHFN_TOKEN: "t" })).headers).toEqual({
      authorization: "Bearer t",
    });
    expect((await credentials("http://127.0.0.1:7071")).headers).toEqual({ "x-functions-key": "recorded" });
    expect((await credentials("http://127.0.0.1:9999")).headers).toEqual({ "x-functions-key": "folder" });
  });

  it("is taken out on a clean stop, unless another host has recorded itself at that URL since", async () => {
    const forgetA = await recordLocalHost(file, {
      url: "http://127.0.0.1:7071",
      adminKey: "a",
      appDir: "/a",
    });
    const forgetB = await recordLocalHost(file, {
      url: "http://127.0.0.1:7072",
      adminKey: "b",
      appDir: "/b",
    });
    await forgetA();
    expect(Object.keys(JSON.parse(await readFile(file, "utf8")))).toEqual(["http://127.0.0.1:7072"]);
    await recordLocalHost(file, { url: "http://127.0.0.1:7072", adminKey: "c", appDir: "/c" });
    await forgetB();
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      "http://127.0.0.1:7072": { adminKey: "c", appDir: "/c" },
    });
  });

  it("refuses a damaged file with its name, rather than guessing", async () => {
    await mkdir(join(home, "config"));
    await writeFile(file, '{"http://127.0.0.1:7071": "not an entry"}');
    const failed = await credentials("http://127.0.0.1:7071").catch((thrown: unknown) => thrown);
    expect(failed).toBeInstanceOf(BatchfnError);
    expect((failed as BatchfnError).message).toContain(file);
  });
});
