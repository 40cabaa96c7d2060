import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseIgnoreRules } from "../../../scripts/packaging/funcignore.js";
import { crc32, createZipWriter, tableCrc32 } from "../../../scripts/packaging/zip-writer.js";
import { readZip } from "./zip-reader.js";

const temp: string[] = [];
afterAll(async () => {
  await Promise.all(temp.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe(".funcignore rules", () => {
  const rules = parseIgnoreRules(
    [
      "# comment",
      "*.ts",
      "/src/",
      "README.md",
      "node_modules/pkg/bin/napi-v*/darwin/",
      "cache/",
      "logs/**/*.log",
      "!keep.ts",
    ].join("\n"),
  );

  it("matches a name at any depth unless the pattern has a slash", () => {
    expect(rules.ignores("src/a.js")).toBe(true);
    expect(rules.ignores("dist/src/a.js")).toBe(false);
    expect(rules.ignores("node_modules/x/README.md")).toBe(true);
    expect(rules.ignores("dist/index.d.ts")).toBe(true);
    expect(rules.ignores("dist/index.js")).toBe(false);
  });

  it("applies folder rules to folders and everything beneath them only", () => {
    expect(rules.ignores("a/cache", true)).toBe(true);
    expect(rules.ignores("a/cache/x.bin")).toBe(true);
    expect(rules.ignores("a/cache")).toBe(false);
    expect(rules.ignores("node_modules/pkg/bin/napi-v6/darwin/arm64/x.node")).toBe(true);
    expect(rules.ignores("node_modules/pkg/bin/napi-v6/linux/x64/x.node")).toBe(false);
  });

  it("understands ** and negation (the last matching rule wins)", () => {
    expect(rules.ignores("logs/a/b/c.log")).toBe(true);
    expect(rules.ignores("logs/c.txt")).toBe(false);
    expect(rules.ignores("keep.ts")).toBe(false);
  });
});

describe("zip writer", () => {
  it("computes the standard CRC-32 both ways", () => {
    const data = Buffer.from("123456789");
    expect(tableCrc32(data)).toBe(0xcbf43926);
    expect(crc32(data)).toBe(0xcbf43926);
  });

  it("writes files that a reader, and unzip where installed, get back whole with their modes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "batchfn-zip-"));
    temp.push(dir);
    const random = Buffer.alloc(70_000);
    for (let i = 0; i < random.length; i += 1) random[i] = (i * 2654435761) >>> 24;
    const entries = [
      { name: "host.json", data: Buffer.from('{"version": "2.0"}\n'.repeat(50)), mode: 0o644 },
      { name: "node_modules/tool/bin/tool", data: random, mode: 0o755 },
      { name: "dist/empty.js", data: Buffer.alloc(0), mode: 0o644 },
      { name: "dist/ünïcode.js", data: Buffer.from("export {};\n"), mode: 0o600 },
    ];
    const path = join(dir, "app.zip");
    const zip = await createZipWriter(path);
    for (const entry of entries) await zip.add(entry);
    expect(await zip.close()).toBe(entries.length);

    expect(await readZip(path, tableCrc32)).toEqual(entries);
    expect((await stat(path)).size).toBeLessThan(entries.reduce((sum, e) => sum + e.data.length, 0));

    const unzip = spawnSync("unzip", ["-q", path, "-d", join(dir, "out")], { encoding: "utf8" });
    if (unzip.error) {
      console.log("unzip not installed: the archive was checked with the built-in reader only");
      return;
    }
    expect(unzip.status, unzip.stderr).toBe(0);
    for (const entry of entries) {
      const extracted = join(dir, "out", entry.name);
      expect(await readFile(extracted)).toEqual(entry.data);
      expect((await stat(extracted)).mode & 0o777).toBe(entry.mode);
    }
  });
});
