import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../../..");

describe("bin/batchfn.mjs", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  /** A copy of the launcher and of the bundler beside a CLI source that says it ran. */
  async function layout(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "batchfn-bin-"));
    await mkdir(join(dir, "bin"));
    await mkdir(join(dir, "scripts"));
    await mkdir(join(dir, "src", "cli"), { recursive: true });
    await copyFile(join(repo, "bin", "batchfn.mjs"), join(dir, "bin", "batchfn.mjs"));
    await copyFile(join(repo, "scripts", "cli-bundle.ts"), join(dir, "scripts", "cli-bundle.ts"));
    await writeFile(join(dir, "package.json"), '{"type":"module"}\n');
    await symlink(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
    await writeFile(join(dir, "src", "cli", "main.ts"), source("built from the sources"));
    return dir;
  }

  const source = (said: string) => `const said: string = ${JSON.stringify(said)};\nconsole.log(said);\n`;
  const bundle = (dir: string) => join(dir, "dist", "cli", "batchfn.mjs");
  const launch = async (dir: string) =>
    (await run(process.execPath, [join(dir, "bin", "batchfn.mjs")], { cwd: tmpdir() })).stdout.trim();

  it("builds the bundle from the sources when there is none, and runs it", async () => {
    root = await layout();
    expect(await launch(root)).toBe("built from the sources");
    const built = await readFile(bundle(root), "utf8");
    expect(built.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(built).not.toContain("const said: string");
    expect((await stat(bundle(root))).mode & 0o111).not.toBe(0);
    expect(JSON.parse(await readFile(`${bundle(root)}.sources.json`, "utf8"))).toEqual(["src/cli/main.ts"]);
  });

  it("runs the bundle as it is while no source is newer, and builds it again once one is edited", async () => {
    root = await layout();
    await launch(root);
    await writeFile(bundle(root), 'console.log("the bundle as built");\n');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(root, "src", "cli", "main.ts"), past, past);
    expect(await launch(root)).toBe("the bundle as built");

    await writeFile(join(root, "src", "cli", "main.ts"), source("edited"));
    const later = new Date(Date.now() + 60_000);
    await utimes(join(root, "src", "cli", "main.ts"), later, later);
    expect(await launch(root)).toBe("edited");
  });

  it("says to run npm install when it has neither a bundle nor the tools to build one", async () => {
    root = await layout();
    await rm(join(root, "node_modules"));
    const failed = await run(process.execPath, [join(root, "bin", "batchfn.mjs")]).catch(
      (thrown: { code: number; stderr: string }) => thrown,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect("stderr" in failed ? failed.stderr : "").toContain(`run 'npm install' in ${root}`);
  });
});
