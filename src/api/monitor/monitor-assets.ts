import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { errors } from "../../errors.js";
import type { MonitorAsset, MonitorFiles } from "./monitor-bundle.js";

/** The names of the page's files: what `npm run build` writes to `dist/monitor/`. */
export const MONITOR_FILES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "monitor.js": "text/javascript; charset=utf-8",
  "monitor.css": "text/css; charset=utf-8",
};

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where the page's files come from. Compiled (`dist/src/api/monitor/`), they are the bundle
 * `npm run build` wrote to `dist/monitor/`. Run from the TypeScript sources (tsx: `npm start`, the
 * tests), the sources are bundled once per process with esbuild, so there is no stale bundle.
 */
export function monitorAssets(): () => Promise<MonitorFiles> {
  let loaded: Promise<MonitorFiles> | undefined;
  const fromSources = fileURLToPath(import.meta.url).endsWith(".ts");
  return () => {
    loaded ??= (fromSources ? bundleFromSources() : readBuilt(resolve(here, "../../../monitor"))).catch(
      (thrown: unknown) => {
        loaded = undefined;
        throw thrown;
      },
    );
    return loaded;
  };
}

async function bundleFromSources(): Promise<MonitorFiles> {
  const { bundleMonitor } = await import("./monitor-bundle.js");
  return bundleMonitor();
}

async function readBuilt(dir: string): Promise<MonitorFiles> {
  const files = new Map<string, MonitorAsset>();
  for (const [name, type] of Object.entries(MONITOR_FILES)) {
    try {
      files.set(name, { body: await readFile(join(dir, name)), type });
    } catch {
      throw errors.monitorUnavailable(
        `The job monitor's ${name} is missing from ${dir}: run \`npm run build\`.`,
      );
    }
  }
  return files;
}
