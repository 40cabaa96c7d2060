import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { stopChild, whenListening } from "../../src/local-host/child-host.js";
import { TEST_ADMIN_KEY } from "./app-client.js";
import { uniqueName } from "./storage.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface AppProcess {
  url: string;
  /** The settings the app runs with (unique tables, containers and task hub on the test Azurite). */
  env: Record<string, string>;
  output(): string;
  /** Stops it the way Ctrl-C does. */
  stop(): Promise<void>;
  /** Kills it outright (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

/**
 * Settings for one app on the test Azurite: tables, containers and task hub of its own, and the
 * admin key `call` sends.
 */
export async function appSettings(): Promise<Record<string, string>> {
  const id = uniqueName("a");
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-app-"));
  return {
    AzureWebJobsStorage: inject("azuriteConnectionString"),
    BATCHFN_TABLE_PREFIX: id,
    BATCHFN_DATA_CONTAINER: `${id}-data`,
    BATCHFN_ARTIFACTS_CONTAINER: `${id}-artifacts`,
    BATCHFN_INBOX_CONTAINER: `${id}-inbox`,
    BATCHFN_OUTBOX_CONTAINER: `${id}-outbox`,
    BATCHFN_JOBS_CONTAINER: `${id}-jobs`,
    BATCHFN_TASK_HUB: `hub${id}`,
    BATCHFN_WORK_DIR: workDir,
    BATCHFN_ADMIN_KEY: TEST_ADMIN_KEY,
    // Where an app started without BATCHFN_ADMIN_KEY records its key for the CLI: never the user's own.
    BATCHFN_CONFIG_DIR: join(workDir, "config"),
  };
}

/**
 * Runs the real app (`functions/`) on the local host in a child process, as `npm start` does, on
 * the test Azurite, and resolves once it listens. `args` are more options of `src/local-host/main.ts`;
 * `quiet: false` keeps the host's log lines in `output()`.
 */
export async function startAppProcess(
  env?: Record<string, string>,
  args: string[] = [],
  { quiet = true }: { quiet?: boolean } = {},
): Promise<AppProcess> {
  const settings = env ?? (await appSettings());
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "src/local-host/main.ts"),
      "--storage",
      "environment",
      "--port",
      "0",
      ...(quiet ? ["--quiet"] : []),
      ...args,
    ],
    { cwd: repoRoot, env: { ...process.env, ...settings }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await whenListening(child, "the app");
  return {
    url,
    env: settings,
    output: () => output,
    stop: () => stopChild(child, "SIGINT"),
    kill: () => stopChild(child, "SIGKILL"),
  };
}
