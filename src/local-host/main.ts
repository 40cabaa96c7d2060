import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LocalAdminKey } from "../auth/local-admin-key.js";
import { BatchfnError } from "../errors.js";
import { localHostsFilePath } from "../spec/local-hosts-file.js";
import { listeningLine } from "./child-host.js";
import { describeAzurite } from "./local-azurite.js";
import { recordLocalHost } from "./local-hosts-record.js";
import { startLocalApp } from "./start-local-app.js";

/**
 * `npm start`: runs the batchfn Functions app on this machine (embedded Azurite + local host).
 * Options: --port N (default 7071), --entry FILE, --storage embedded|environment, --in-memory
 * (an Azurite of its own in memory, on free ports), --azurite-port N (embedded Azurite's blob port,
 * queue and table the next two; default 10000), --azurite-dir DIR (its data, log and pid file;
 * default .azurite), --quiet, --admin-key-file FILE (default .batchfn/local.json). Prints which
 * Azurite it uses and the host admin key, generated into that file when BATCHFN_ADMIN_KEY is not
 * set; that key is also recorded for the CLI under the host's URL in the per-user local-hosts file
 * (spec/local-hosts-file.ts), and taken out again on a clean stop.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "7071" },
      entry: { type: "string" },
      storage: { type: "string", default: "embedded" },
      "in-memory": { type: "boolean", default: false },
      "azurite-port": { type: "string" },
      "azurite-dir": { type: "string" },
      quiet: { type: "boolean", default: false },
      "admin-key-file": { type: "string" },
    },
  });
  const here = dirname(fileURLToPath(import.meta.url));
  const fromSources = !here.split(/[\\/]/).includes("dist");
  const appDir = resolve(here, fromSources ? "../.." : "../../..");
  const entry = values.entry ?? (fromSources ? "functions/index.ts" : undefined);
  if (!fromSources && !existsSync(join(appDir, "dist", "functions", "index.js"))) {
    throw new Error("dist/functions/index.js is missing: run `npm run build` first");
  }
  const app = await startLocalApp({
    appDir,
    entry,
    port: Number(values.port),
    storage:
      values.storage === "environment"
        ? { kind: "environment" }
        : {
            kind: "embedded",
            inMemory: values["in-memory"],
            port: azuritePort(values["azurite-port"]),
            dir: values["azurite-dir"] && resolve(values["azurite-dir"]),
          },
    adminKeyFile: values["admin-key-file"],
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  const forget =
    app.adminKey.source === "setting"
      ? async () => {}
      : await recordLocalHost(localHostsFilePath(process.env), {
          url: app.url,
          adminKey: app.adminKey.key,
          appDir,
        });
  if (app.azurite) console.log(describeAzurite(app.azurite, shown));
  if (app.connectionString) console.log(`Storage: ${app.connectionString}`);
  console.log(adminKeyLine(app.adminKey));
  if (app.adminKey.source !== "setting") {
    console.log(
      `CLI: batchfn finds this key from any folder (recorded for ${app.url} in ${localHostsFilePath(process.env)})`,
    );
  }
  console.log(`Job monitor: ${app.url}/api/monitor/ (sign in with the admin key above)`);
  console.log(`API base URL: ${app.url}/api`);
  console.log(listeningLine(app.url));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await forget().catch(() => {});
    await app.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** The blob port of `--azurite-port` (queue and table take the next two), or undefined when not given. */
function azuritePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65533) {
    throw new Error(
      `--azurite-port must be a port from 1 to 65533 (queue and table take the next two), not '${text}'`,
    );
  }
  return port;
}

/** A path as people read it: relative to the working folder when inside it. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith("..") ? inside : path;
}

/**
 * The admin key is printed when this host made it or keeps it; a key given as a setting is not
 * echoed (and not recorded for the CLI, which then needs BATCHFN_KEY).
 */
function adminKeyLine(admin: LocalAdminKey): string {
  if (admin.source === "setting") return "Admin key: BATCHFN_ADMIN_KEY (give it to the CLI as BATCHFN_KEY)";
  const where = admin.file ? shown(admin.file) : "";
  const verb = admin.source === "generated" ? "generated, written to" : "from";
  return `Admin key: ${admin.key} (${verb} ${where}; send it as 'x-functions-key' or 'Authorization: Bearer')`;
}

main().catch((thrown: unknown) => {
  const message = thrown instanceof BatchfnError ? `${thrown.code}: ${thrown.message}` : String(thrown);
  console.error(`batchfn local host failed to start: ${message}`);
  process.exit(1);
});
