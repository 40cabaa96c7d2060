import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { inject } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { type AppProcess, appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";
import { examplePath, readJson, readNumericCsv } from "../examples/example-files.js";
import { predictInTypeScript, weightsSchema } from "../examples/taxi-model.js";

/** What one run of the CLI printed, and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real app in a child process, and a way to run the real CLI against it, as a person would. */
export interface CliWorld {
  app: AppProcess;
  /** The admin key the app accepts (`BATCHFN_ADMIN_KEY`), sent by the CLI as `BATCHFN_KEY`. */
  key: string;
  /** The folder of the CLI's upload cache (`BATCHFN_CACHE_DIR`) for this world. */
  cacheDir: string;
  /** Runs `batchfn <args>`; `env` adds to (or, with `undefined`, removes from) the CLI's environment. */
  cli(
    args: string[],
    options?: { env?: Record<string, string | undefined>; cwd?: string },
  ): Promise<CliResult>;
  /** The app's data container (the `workspaceblobstore` datastore). */
  data: ContainerClient;
  /** A container readable anonymously over http, for URL inputs. */
  publicContainer(): Promise<ContainerClient>;
}

/**
 * Starts the app (its own tables and containers on the test Azurite, an admin key, URL inputs on
 * loopback allowed so Azurite can serve one) and answers the world the CLI tests run in.
 * `overrides` are more app settings (`BATCHFN_PYTHON`...).
 */
export async function startCliWorld(overrides: Record<string, string> = {}): Promise<CliWorld> {
  const key = `cli-test-${randomBytes(12).toString("hex")}`;
  const settings = {
    ...(await appSettings()),
    BATCHFN_ADMIN_KEY: key,
    BATCHFN_ALLOW_PRIVATE_URL_INPUTS: "true",
    ...overrides,
  };
  const app = await startAppProcess(settings);
  const cacheDir = await mkdtemp(join(tmpdir(), "batchfn-cli-cache-"));
  const blob = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  const config = loadConfig(settings);
  const data = blob.getContainerClient(config.containers.data);
  await data.createIfNotExists();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("BATCHFN_")),
  );
  return {
    app,
    key,
    cacheDir,
    data,
    cli: (args, options = {}) =>
      run(args, {
        cwd: options.cwd ?? repoRoot,
        env: withoutUndefined({
          ...inherited,
          BATCHFN_URL: app.url,
          BATCHFN_KEY: key,
          BATCHFN_CACHE_DIR: cacheDir,
          BATCHFN_CONFIG_DIR: join(cacheDir, "config"),
          BATCHFN_POLL_MS: "250",
          ...options.env,
        }),
      }),
    async publicContainer() {
      const container = blob.getContainerClient(`${config.tablePrefix.toLowerCase()}-public`);
      await container.createIfNotExists({ access: "blob" });
      return container;
    },
  };
}

function run(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<CliResult> {
  return runProcess(process.execPath, [inject("cliBundle"), ...args], options);
}

/** Runs a command to its end and answers its exit code and everything it printed. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Fails with everything the CLI printed unless it exited with `code`. */
export function expectExit(result: CliResult, code: number): CliResult {
  if (result.code !== code) {
    throw new Error(
      `expected exit code ${code}, got ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

/** `batchfn ... -o tsv` printed one value: that value. */
export function tsvValue(result: CliResult): string {
  return expectExit(result, 0).stdout.trim();
}

/** The JSON a command printed (its default output). */
export function jsonOf<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(expectExit(result, 0).stdout) as T;
}

/** The taxi example's scoring files, sorted. */
export async function taxiFiles(): Promise<string[]> {
  return (await readdir(examplePath("taxi-tip", "data"))).sort();
}

/** Uploads the taxi example's scoring files under `prefix` of a container. */
export async function putTaxiData(
  container: ContainerClient,
  prefix: string,
  files?: string[],
): Promise<void> {
  for (const file of files ?? (await taxiFiles())) {
    const body = await readFile(examplePath("taxi-tip", "data", file));
    await container.getBlockBlobClient(`${prefix}${file}`).upload(body, body.length);
  }
}

/**
 * The rows a taxi job must write for these scoring files, `<row> <file> <tip to 6 places>`, computed
 * in TypeScript from the model's weights (not by the model under test).
 */
export async function expectedTaxiRows(files: string[]): Promise<string[]> {
  const weights = await readJson(examplePath("taxi-tip", "model", "weights.json"), weightsSchema);
  const rows: string[] = [];
  for (const file of [...files].sort()) {
    const tips = predictInTypeScript(weights, await readNumericCsv(examplePath("taxi-tip", "data", file)));
    rows.push(...tips.map((tip, row) => `${row} ${file} ${tip.toFixed(6)}`));
  }
  return rows;
}

/** The rows of a downloaded taxi predictions file, in the same form, in file and row order. */
export function taxiRows(text: string): string[] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => {
      const [row, prediction, file] = line.split(" ");
      return `${row} ${file} ${Number(prediction).toFixed(6)}`;
    })
    .sort((a, b) => {
      const [rowA, fileA] = a.split(" ");
      const [rowB, fileB] = b.split(" ");
      return (fileA ?? "").localeCompare(fileB ?? "") || Number(rowA) - Number(rowB);
    });
}

/** A proxy in front of the app that answers 503 to the first `failures` requests, then forwards. */
export interface FlakyProxy {
  url: string;
  /** Requests answered 503 so far. */
  failed(): number;
  close(): Promise<void>;
}

/** Starts a proxy to `target` on loopback whose first `failures` answers are 503 Service Unavailable. */
export async function startFlakyProxy(target: string, failures: number): Promise<FlakyProxy> {
  let failed = 0;
  const server = createServer((request, response) => {
    if (failed < failures) {
      failed += 1;
      response.writeHead(503, { "content-type": "text/plain" }).end("restarting");
      return;
    }
    const hop = new Set(["host", "connection", "content-length", "transfer-encoding", "content-encoding"]);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        (entry): entry is [string, string] => typeof entry[1] === "string" && !hop.has(entry[0]),
      ),
    );
    fetch(`${target}${request.url ?? "/"}`, { method: request.method, headers }).then(
      async (answer) => {
        const kept = [...answer.headers.entries()].filter(([name]) => !hop.has(name));
        response.writeHead(answer.status, Object.fromEntries(kept));
        response.end(Buffer.from(await answer.arrayBuffer()));
      },
      () => response.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    failed: () => failed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
