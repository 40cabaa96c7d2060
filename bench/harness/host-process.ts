import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stopChild, whenListening } from "../../src/local-host/index.js";
import { ASK_SIGNAL, type RequestCounts } from "./count-requests.js";
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
  /**
   * HTTP requests the host has made so far (storage round trips, mostly), in all and by kind
   * (method, resource, `comp`): where the round trips go.
   */
  requestCounts(): Promise<Omit<RequestCounts, "seq">>;
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
  let seen = 0;
  return {
    url,
    pid,
    peakRssMb: () => memory.peakMb(),
    async requestCounts() {
      child.kill(ASK_SIGNAL);
      for (let waited = 0; waited < 30_000; waited += 10) {
        const text = await readFile(requestCount, "utf8").catch(() => undefined);
        const counts = text === undefined ? undefined : (JSON.parse(text) as RequestCounts);
        if (counts && counts.seq > seen) {
          seen = counts.seq;
          return { total: counts.total, kinds: counts.kinds };
        }
        await sleep(10);
      }
      throw new Error("the host did not write its request counts within 30 s");
    },
    output: () => output,
    async stop() {
      memory.close();
      await stopChild(child, "SIGINT", 30_000);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
