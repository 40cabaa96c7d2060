import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";

/** A worker thread's entry file and the Node flags it needs. */
export interface WorkerFile {
  filename: string;
  /** `undefined` keeps the parent's flags (compiled JS); TypeScript sources get the tsx loader. */
  execArgv: string[] | undefined;
}

/**
 * Locates a worker module that sits beside `moduleUrl` (pass `import.meta.url`): `name.js` when the
 * app runs compiled from `dist/`, `name.ts` when it runs from sources (tests, tsx). For sources,
 * the thread registers tsx's ESM hooks itself (on Node 20 tsx registers them in the main thread
 * only, and a worker does not inherit them).
 */
export function workerFile(moduleUrl: string, name: string): WorkerFile {
  const extension = extname(fileURLToPath(moduleUrl));
  const filename = fileURLToPath(new URL(`./${name}${extension}`, moduleUrl));
  if (extension !== ".ts") return { filename, execArgv: undefined };
  const register = `import { register } from ${JSON.stringify(tsxEsmApi(moduleUrl))}; register();`;
  return { filename, execArgv: ["--import", `data:text/javascript,${encodeURIComponent(register)}`] };
}

const tsxPackageSchema = z.object({
  exports: z.object({ "./esm/api": z.object({ import: z.object({ default: z.string() }) }) }),
});

function tsxEsmApi(moduleUrl: string): string {
  const packageJson = createRequire(moduleUrl).resolve("tsx/package.json");
  const tsx = tsxPackageSchema.parse(JSON.parse(readFileSync(packageJson, "utf8")));
  return pathToFileURL(join(dirname(packageJson), tsx.exports["./esm/api"].import.default)).href;
}
