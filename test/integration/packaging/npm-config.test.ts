import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { repoRoot } from "../../support/app-process.js";

const run = promisify(execFile);

describe("npm in this repository", () => {
  it("runs without a config warning, and every dependency install script is reviewed in package.json", async () => {
    const { stdout, stderr } = await run("npm", ["install-scripts", "ls"], {
      cwd: repoRoot,
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
    expect(stderr).not.toMatch(/warn/i);
    expect(stdout.trim()).toBe("No packages with unreviewed install scripts.");
  });

  it("skips onnxruntime-node's install script (it downloads CUDA libraries from NuGet) and runs esbuild's", async () => {
    const manifest = z
      .object({ allowScripts: z.record(z.string(), z.boolean()) })
      .parse(JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")));
    expect(manifest.allowScripts).toEqual({ esbuild: true, "onnxruntime-node": false });
  });
});
