import { execFile } from "node:child_process";
import { readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundledFixture, inputFiles, tempDir } from "./scoring-fixtures.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Transpiles the sources file by file (as `tsc` does for dist/) into `outDir`, beside a link to
 * node_modules: all of src/, so that whatever the pool imports from the layers below it (spec/,
 * io/, storage/) is there. The ONNX runtime is left out: a script pool never loads it.
 */
async function compileSources(outDir: string): Promise<void> {
  const sources = (await readdir(join(repo, "src"), { recursive: true }))
    .filter((file) => file.endsWith(".ts") && !file.startsWith(join("scoring", "onnx")))
    .map((file) => join(repo, "src", file));
  await build({
    entryPoints: sources,
    outbase: repo,
    outdir: outDir,
    format: "esm",
    platform: "node",
    logLevel: "silent",
  });
  await writeFile(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  await symlink(join(repo, "node_modules"), join(outDir, "node_modules"), "dir");
}

describe("the scoring pool compiled to JavaScript", () => {
  it("scores a mini-batch in a Node process without tsx", async () => {
    const outDir = await tempDir("batchfn-dist-");
    await compileSources(outDir);
    const script = await bundledFixture("echo-ts", "score.ts");
    const [file] = await inputFiles({ "words.txt": "one two three" });
    const program = `
      import { createScoringPool } from "./src/scoring/pool/scoring-pool.js";
      import { scriptRuntimeSpec } from "./src/scoring/script/script-runtime-spec.js";
      const runtime = scriptRuntimeSpec({ ...${JSON.stringify(script)}, modelDir: ${JSON.stringify(outDir)}, outputDir: ${JSON.stringify(outDir)} });
      const pool = createScoringPool({ runtime, workers: 1, timeoutSeconds: 30, loggingLevel: "info", workerMemoryMb: 512 });
      const scored = await pool.run({ index: 0, attempt: 1, files: [{ path: ${JSON.stringify(file)}, name: "words.txt", rowOffset: 0 }] });
      await pool.close();
      process.stdout.write(JSON.stringify({ rows: scored.result.rows, execArgv: process.execArgv }));
    `;
    await writeFile(join(outDir, "main.js"), program);
    const env = { ...process.env, NODE_OPTIONS: "" };
    const { stdout } = await promisify(execFile)(process.execPath, ["main.js"], { cwd: outDir, env });
    expect(JSON.parse(stdout)).toEqual({
      rows: [{ file: "words.txt", words: 3, runtime: "ts" }],
      execArgv: [],
    });
  });
});
