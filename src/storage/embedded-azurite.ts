import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Azurite's well-known development account. */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /** Keep everything in memory (tests) instead of under `location`. */
  inMemory?: boolean;
  /** Folder for persisted data when not in memory. */
  location?: string;
  /** Ports to listen on; 0 (the default) picks free ones. */
  ports?: Partial<AzuritePorts>;
}

export interface EmbeddedAzurite {
  ports: AzuritePorts;
  connectionString: string;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would: writes of its last seconds are lost. */
  kill(): Promise<void>;
}

/** The connection string of an Azurite listening on 127.0.0.1 at the given ports. */
export function azuriteConnectionString(ports: AzuritePorts): string {
  const base = "http://127.0.0.1";
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${base}:${ports.blob}/${DEV_ACCOUNT}`,
    `QueueEndpoint=${base}:${ports.queue}/${DEV_ACCOUNT}`,
    `TableEndpoint=${base}:${ports.table}/${DEV_ACCOUNT}`,
  ].join(";");
}

/**
 * Starts Azurite (blob, queue and table) as a child process on loopback and resolves once all three
 * services listen, with the ports they actually took.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<EmbeddedAzurite> {
  const child = spawn(process.execPath, azuriteArgs(options), { stdio: ["ignore", "pipe", "pipe"] });
  const listening = await waitForListening(child);
  return {
    ports: listening,
    connectionString: azuriteConnectionString(listening),
    stop: () => stopChild(child),
    kill: () => stopChild(child, "SIGKILL"),
  };
}

/**
 * The file `node` runs to start Azurite: `src/storage/azurite-entry.cjs`, which patches two of
 * Azurite's hot paths without changing any answer and then loads Azurite (see that file). The
 * compiled module (`dist/src/storage/`, where tsc copies no `.cjs`) finds it in the sources beside
 * `dist/`; without them it starts Azurite's own entry, unpatched.
 */
export function azuriteEntryFile(): string {
  const candidates = ["./azurite-entry.cjs", "../../../src/storage/azurite-entry.cjs"];
  for (const candidate of candidates) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return file;
  }
  return createRequire(import.meta.url).resolve("azurite/dist/src/azurite.js");
}

/** The command line (after `node`) of an Azurite on loopback with these options. */
export function azuriteArgs(options: AzuriteOptions): string[] {
  const entry = azuriteEntryFile();
  const ports = { blob: 0, queue: 0, table: 0, ...options.ports };
  return [
    entry,
    "--blobHost",
    "127.0.0.1",
    "--queueHost",
    "127.0.0.1",
    "--tableHost",
    "127.0.0.1",
    "--blobPort",
    String(ports.blob),
    "--queuePort",
    String(ports.queue),
    "--tablePort",
    String(ports.table),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--loose",
    "--silent",
    ...(options.inMemory ? ["--inMemoryPersistence"] : ["--location", options.location ?? ".azurite"]),
  ];
}

/** Reads the ports Azurite prints once each service listens; complete once all three are there. */
export function listeningPorts(output: string): AzuritePorts | undefined {
  const found: Partial<AzuritePorts> = {};
  for (const match of output.matchAll(
    /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g,
  )) {
    const service = match[1]?.toLowerCase() as keyof AzuritePorts;
    found[service] = Number(match[2]);
  }
  return found.blob && found.queue && found.table
    ? { blob: found.blob, queue: found.queue, table: found.table }
    : undefined;
}

function waitForListening(child: ChildProcess): Promise<AzuritePorts> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ports = listeningPorts(output);
      if (ports) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(ports);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(new Error(`Azurite exited with code ${code} before listening:\n${output}`)),
    );
    child.once("error", reject);
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
