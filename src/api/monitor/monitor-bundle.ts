import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** One file of the job monitor page: its bytes and content type. */
export interface MonitorAsset {
  body: Buffer;
  type: string;
}

/** The page's files by name: `index.html`, `monitor.js`, `monitor.css`. */
export type MonitorFiles = ReadonlyMap<string, MonitorAsset>;

/** The job monitor's browser sources (`src/monitor/`), beside this module in the source tree. */
export const MONITOR_SOURCES = resolve(dirname(fileURLToPath(import.meta.url)), "../../monitor");

/**
 * Bundles the job monitor page from its sources with esbuild: the TypeScript into one minified
 * script, the stylesheet, and the static HTML that loads both. Nothing is fetched at run time.
 */
export async function bundleMonitor(sources: string = MONITOR_SOURCES): Promise<MonitorFiles> {
  const result = await build({
    entryPoints: { monitor: join(sources, "main.ts"), "monitor-style": join(sources, "monitor.css") },
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    outdir: "out",
    legalComments: "none",
    logLevel: "silent",
  });
  const files = new Map<string, MonitorAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.endsWith(".css") ? "monitor.css" : "monitor.js";
    const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    files.set(name, { body: Buffer.from(file.contents), type });
  }
  files.set("index.html", {
    body: await readFile(join(sources, "index.html")),
    type: "text/html; charset=utf-8",
  });
  return files;
}

/** Writes the bundled page to `outDir` (`dist/monitor/` for `npm run build` and `npm run package`). */
export async function writeMonitorBundle(outDir: string): Promise<string[]> {
  const files = await bundleMonitor();
  await mkdir(outDir, { recursive: true });
  for (const [name, file] of files) await writeFile(join(outDir, name), file.body);
  return [...files.keys()];
}
