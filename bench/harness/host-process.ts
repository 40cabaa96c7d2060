import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stopChild, whenListening } from "../../src/local-host/index.js";
import { WRITE_EVERY_MS } from "./count-requests.js";
import { MemoryWatch } from "./memory-watch.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface HostOptions {
  /** The app settings of the bench's storage (see BenchWorld.settings). */
  settings: Record<string, string>;
  /** Extra Node options for the host, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

/** The app under test: the local host running `functions/`, in its own process. */
export interface HostProcess {
  url: string;
  pid: number;
  /** The host's peak resident memory so far, in MiB. */
  peakRssMb(): Promise<number>;
  /** HTTP requests the host has made so far (storage round trips, mostly). */
  requests(): Promise<number>;
  /** The same, by kind of request (method, resource, `comp`): where the round trips go. */
  requestKinds(): Promise<Record<string, number>>;
  output(): string;
  /** Stops it as Ctrl-C does and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the app as users run it (`node --import tsx src/local-host/main.ts --storage environment
 * --port 0 --quiet`), on the bench's Azurite, with a task hub and scratch folder of its own, and
 * resolves once it listens.
 */
export async function startHost(options: HostOptions): Promise<HostProcess> {
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-bench-host-"));
  const requestCount = join(workDir, "requests.count");
  const env = {
    ...process.env,
    ...options.settings,
    BATCHFN_TASK_HUB: `hub${randomBytes(4).toString("hex")}`,
    BATCHFN_WORK_DIR: workDir,
    BATCHFN_BENCH_REQUEST_COUNT: requestCount,
  };
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      "--import",
      "tsx",
      "--import",
      pathToFileURL(join(repoRoot, "bench/harness/count-requests.ts")).href,
      join(repoRoot, "src/local-host/main.ts"),
      "--storage",
      "environment",
      "--port",
      "0",
      "--quiet",
    ],
    { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = await whenListening(child);
  const pid = child.pid ?? 0;
  const memory = new MemoryWatch(pid);
  return {
    url,
    pid,
    peakRssMb: () => memory.peakMb(),
    requests: async () => {
      await new Promise((resolveWait) => setTimeout(resolveWait, WRITE_EVERY_MS + 150));
      return Number(await readFile(requestCount, "utf8").catch(() => "0"));
    },
    requestKinds: async () => {
      const text = await readFile(`${requestCount}.kinds.json`, "utf8").catch(() => "{}");
      return JSON.parse(text) as Record<string, number>;
    },
    output: () => output,
    async stop() {
      memory.close();
      await stopChild(child, "SIGINT", 30_000);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
