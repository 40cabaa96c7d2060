import { spawn } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { writeMonitorBundle } from "../../src/api/monitor/monitor-bundle.js";
import { copyPythonFiles } from "./python-files.js";

/** The files beside dist/ that the Functions host and npm need at the app's root. */
export const ROOT_FILES = ["host.json", "package.json", "package-lock.json"];

export interface StageOptions {
  /** The repository (package.json, tsconfig.build.json, host.json). */
  repoDir: string;
  /** An empty folder that becomes the app's root. */
  stagingDir: string;
  log: (line: string) => void;
}

/**
 * Lays out the deployable app in `stagingDir`: the TypeScript build compiled straight into
 * `dist/` (no stale files from earlier builds, no source maps) with the Python files batchfn ships,
 * the job monitor page bundled into `dist/monitor/`, the root files, and the production
 * dependencies installed from the lockfile for Linux x64 (`npm ci --omit=dev --ignore-scripts`,
 * from the npm cache when it holds them).
 */
export async function stageApp({ repoDir, stagingDir, log }: StageOptions): Promise<void> {
  await mkdir(stagingDir, { recursive: true });
  log("building dist/ (tsc -p tsconfig.build.json)");
  const tsc = createRequire(join(repoDir, "package.json")).resolve("typescript/bin/tsc");
  await run(
    process.execPath,
    [
      tsc,
      "-p",
      join(repoDir, "tsconfig.build.json"),
      "--outDir",
      join(stagingDir, "dist"),
      "--sourceMap",
      "false",
    ],
    repoDir,
  );
  await copyPythonFiles(repoDir, join(stagingDir, "dist"));
  log("bundling the job monitor page (dist/monitor/)");
  await writeMonitorBundle(join(stagingDir, "dist", "monitor"));
  for (const file of ROOT_FILES) await copyFile(join(repoDir, file), join(stagingDir, file));
  log("installing production dependencies for linux-x64 (npm ci --omit=dev)");
  await run(
    ...npm([
      "ci",
      "--omit=dev",
      "--ignore-scripts",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--os=linux",
      "--cpu=x64",
      "--libc=glibc",
    ]),
    stagingDir,
  );
}

/** npm as the running `npm run` started it (npm_execpath), else the `npm` on PATH. */
function npm(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.c?js$/.test(cli)) return [process.execPath, [cli, ...args]];
  return [process.platform === "win32" ? "npm.cmd" : "npm", args];
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} exited with ${code} (in ${cwd})`)),
    );
  });
}
