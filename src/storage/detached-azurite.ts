import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type AzuritePorts,
  azuriteArgs,
  azuriteConnectionString,
  type EmbeddedAzurite,
  listeningPorts,
} from "./embedded-azurite.js";

/**
 * The Azurite of `npm start`, in a process of its own: started detached (its own session, output
 * in `<dir>/azurite.log`, process id in `<dir>/azurite.pid`), so that a host that crashes — or a
 * Ctrl-C meant for the host's process group — does not take storage down with it. The next start
 * finds it answering and adopts it; a clean stop of the host that holds it stops it (SIGTERM, which
 * lets Azurite save its metadata).
 */
export interface DetachedAzuriteOptions {
  /** Data (unless in memory), log and pid file. */
  dir: string;
  inMemory: boolean;
  ports: AzuritePorts;
}

const LOG = "azurite.log";
const PID = "azurite.pid";

export async function startDetachedAzurite(options: DetachedAzuriteOptions): Promise<EmbeddedAzurite> {
  await mkdir(options.dir, { recursive: true });
  const logFile = join(options.dir, LOG);
  const offset = await stat(logFile).then(
    (s) => s.size,
    () => 0,
  );
  const log = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    azuriteArgs({ inMemory: options.inMemory, location: options.dir, ports: options.ports }),
    { detached: true, stdio: ["ignore", log, log] },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Azurite could not be started; see ${logFile}`);
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  for (;;) {
    const output = (await readFile(logFile)).subarray(offset).toString("utf8");
    const ports = listeningPorts(output);
    if (ports) {
      await writeFile(join(options.dir, PID), String(pid));
      return detached(options.dir, pid, ports);
    }
    if (exited !== undefined)
      throw new Error(`Azurite exited with code ${exited} before listening:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The detached Azurite a previous start left running in `dir`, if its process is still alive. */
export async function adoptAzurite(dir: string, ports: AzuritePorts): Promise<EmbeddedAzurite | undefined> {
  const pid = Number((await readFile(join(dir, PID), "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return detached(dir, pid, ports);
}

function detached(dir: string, pid: number, ports: AzuritePorts): EmbeddedAzurite {
  const end = async (signal: NodeJS.Signals) => {
    await signalAndWait(pid, signal);
    await rm(join(dir, PID), { force: true });
  };
  return {
    ports,
    connectionString: azuriteConnectionString(ports),
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

async function signalAndWait(pid: number, signal: NodeJS.Signals): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + 5_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
