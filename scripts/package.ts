import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { MONITOR_FILES } from "../src/api/monitor/monitor-assets.js";
import { parseIgnoreRules } from "./packaging/funcignore.js";
import { stageApp } from "./packaging/stage-app.js";
import { writeAppZip } from "./packaging/write-app-zip.js";

/**
 * `npm run package [-- --out DIR]`: builds batchfn and writes the deployable zip
 * `<DIR>/batchfn-<version>.zip` (default DIR: dist-package/) for a Linux x64 Function App: dist/,
 * host.json, package.json, package-lock.json and the production node_modules, minus everything
 * `.funcignore` lists (the same file `func azure functionapp publish` reads).
 */
const packageJsonSchema = z.object({ name: z.string(), version: z.string(), main: z.string() });

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: "string", default: "dist-package" } } });
  const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const pkg = packageJsonSchema.parse(JSON.parse(await readFile(join(repoDir, "package.json"), "utf8")));
  const rules = parseIgnoreRules(await readFile(join(repoDir, ".funcignore"), "utf8"));
  const outDir = resolve(repoDir, values.out);
  const zipPath = join(outDir, `${pkg.name}-${pkg.version}.zip`);
  const stagingDir = await mkdtemp(join(tmpdir(), `${pkg.name}-package-`));
  const log = (line: string) => console.log(`[package] ${line}`);
  try {
    await stageApp({ repoDir, stagingDir, log });
    const required = [
      pkg.main,
      "host.json",
      ...Object.keys(MONITOR_FILES).map((name) => `dist/monitor/${name}`),
      ...linuxBinaries(stagingDir),
    ];
    for (const path of required) {
      if (!existsSync(join(stagingDir, path)) || rules.ignores(path)) {
        throw new Error(`the package would miss ${path}`);
      }
    }
    await mkdir(outDir, { recursive: true });
    await rm(zipPath, { force: true });
    log(`writing ${relative(repoDir, zipPath) || zipPath}`);
    const result = await writeAppZip(stagingDir, zipPath, rules);
    if (result.skippedLinks.length > 0) log(`left out symbolic links: ${result.skippedLinks.join(", ")}`);
    console.log(
      `${zipPath}: ${(result.bytes / 1024 / 1024).toFixed(1)} MB, ${result.files} files (main: ${pkg.main})`,
    );
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** onnxruntime-node's native binding for Linux x64: the one platform the package keeps. */
function linuxBinaries(stagingDir: string): string[] {
  const bin = "node_modules/onnxruntime-node/bin";
  const napi = existsSync(join(stagingDir, bin))
    ? readdirSync(join(stagingDir, bin)).filter((name) => name.startsWith("napi-v"))
    : [];
  if (napi.length === 0) return [`${bin}/napi-v*`];
  return napi.map((folder) => `${bin}/${folder}/linux/x64/onnxruntime_binding.node`);
}

main().catch((thrown: unknown) => {
  console.error(`npm run package failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  process.exit(1);
});
