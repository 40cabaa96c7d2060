/**
 * Runs the local host in a process of its own, as `npm start` will: `node --import tsx
 * host-process.ts <appDir>`, settings from the environment. Prints `{"url": ...}` once
 * listening; stops cleanly on SIGTERM.
 */
import { loadConfig } from "../../../src/config.js";
import { createLocalHost } from "../../../src/local-host/index.js";

const appDir = process.argv[2];
if (!appDir) throw new Error("usage: host-process.ts <appDir>");
const host = createLocalHost({
  appDir,
  port: 0,
  storage: loadConfig(process.env),
  keys: { masterKey: process.env.TEST_MASTER_KEY },
  env: process.env,
  blobPollIntervalMs: 100,
});
await host.start();
process.stdout.write(`${JSON.stringify({ url: host.url })}\n`);
process.once("SIGTERM", () => {
  host.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
