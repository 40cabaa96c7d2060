import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
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

  /** A copy of the launcher beside a compiled CLI and TypeScript sources that say which one ran. */
  async function layout(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "batchfn-bin-"));
    await mkdir(join(dir, "bin"));
    await mkdir(join(dir, "dist", "src", "cli"), { recursive: true });
    await mkdir(join(dir, "src", "cli"), { recursive: true });
    await copyFile(join(repo, "bin", "batchfn.mjs"), join(dir, "bin", "batchfn.mjs"));
    await writeFile(join(dir, "package.json"), '{"type":"module"}\n');
    await symlink(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
    await writeFile(join(dir, "dist", "src", "cli", "main.js"), 'console.log("compiled");\n');
    await writeFile(
      join(dir, "src", "cli", "main.ts"),
      'const from: string = "sources";\nconsole.log(from);\n',
    );
    return dir;
  }

  const launch = async (dir: string) =>
    (await run(process.execPath, [join(dir, "bin", "batchfn.mjs")])).stdout.trim();

  it("runs the compiled CLI when it is newer than every source, and the sources once one is edited", async () => {
    root = await layout();
    const past = new Date(Date.now() - 60_000);
    await utimes(join(root, "src", "cli", "main.ts"), past, past);
    expect(await launch(root)).toBe("compiled");

    const later = new Date(Date.now() + 60_000);
    await utimes(join(root, "src", "cli", "main.ts"), later, later);
    expect(await launch(root)).toBe("sources");
  });

  it("runs the sources when nothing is compiled", async () => {
    root = await layout();
    await rm(join(root, "dist"), { recursive: true });
    expect(await launch(root)).toBe("sources");
  });
});
