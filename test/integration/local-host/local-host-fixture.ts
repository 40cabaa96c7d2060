import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import type { Config } from "../../../src/config.js";
import type { DurableExtension } from "../../../src/local-host/durable-extension.js";
import type { CoreLogRecord } from "../../../src/local-host/functions-core.js";
import type { HostKeys } from "../../../src/local-host/http/host-keys.js";
import { createLocalHost, type LocalHost } from "../../../src/local-host/local-host.js";
import { testConfig, uniqueName } from "../../support/storage.js";

/** The fixture app and its variants (test/fixtures/local-host-app). */
export const fixtureApps = {
  main: fixturePath(""),
  streaming: fixturePath("streaming"),
  prefixed: fixturePath("prefixed"),
  cjs: fixturePath("cjs"),
};

export const MASTER_KEY = "master-key-for-tests";
export const FUNCTION_KEY = "function-key-for-tests";

const DEFAULT_KEYS: HostKeys = { masterKey: MASTER_KEY, functionKeys: { default: FUNCTION_KEY } };

/** Log records the hosts of this test file wrote (the log sink is process-wide). */
export const hostLogs: CoreLogRecord[] = [];

export interface FixtureHostOptions {
  appDir?: string;
  storage?: Config;
  /** Default: the test master and function keys; "none" checks no key. */
  keys?: HostKeys | "none";
  maxRequestBodyBytes?: number;
  durable?: DurableExtension;
  inbox?: string;
  /** Default 0: blobs are scanned only when the test calls `pollBlobs()`. */
  blobPollIntervalMs?: number;
  blobMaxAttempts?: number;
}

/** A started local host on a free loopback port, with test keys and a unique inbox container. */
export async function startFixtureHost(options: FixtureHostOptions = {}): Promise<LocalHost> {
  const host = createLocalHost({
    appDir: options.appDir ?? fixtureApps.main,
    port: 0,
    storage: options.storage ?? testConfig(),
    keys: options.keys === "none" ? undefined : (options.keys ?? DEFAULT_KEYS),
    maxRequestBodyBytes: options.maxRequestBodyBytes,
    durable: options.durable,
    env: { LOCAL_HOST_FIXTURE_INBOX: options.inbox ?? uniqueName("inbox") },
    blobPollIntervalMs: options.blobPollIntervalMs ?? 0,
    blobMaxAttempts: options.blobMaxAttempts,
    log: (record) => hostLogs.push(record),
  });
  await host.start();
  return host;
}

/** Sends a body in chunks without content-length (chunked transfer encoding); resolves the status. */
export function postChunked(url: string, chunks: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/octet-stream" } });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

function fixturePath(variant: string): string {
  return fileURLToPath(new URL(`../../fixtures/local-host-app/${variant}`, import.meta.url));
}
