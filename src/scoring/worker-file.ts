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
 * only, and a worker does not inherit them), and gets the parent's `--cpu-prof` flags.
 */
export function workerFile(moduleUrl: string, name: string): WorkerFile {
  const extension = extname(fileURLToPath(moduleUrl));
  const filename = fileURLToPath(new URL(`./${name}${extension}`, moduleUrl));
  if (extension !== ".ts") return { filename, execArgv: undefined };
  const register = `import { register } from ${JSON.stringify(tsxEsmApi(moduleUrl))}; register();`;
  const profiling = cpuProfileFlags(process.execArgv);
  return {
    filename,
    execArgv: [...profiling, "--import", `data:text/javascript,${encodeURIComponent(register)}`],
  };
}

/**
 * The parent's `--cpu-prof` flags (with their values), which a worker given flags of its own would
 * not inherit: so that a profiled process (`npm run bench -- --profile`) profiles its workers too,
 * each into a file of its own (`--cpu-prof-name` is left out: every thread would write that one).
 */
export function cpuProfileFlags(execArgv: readonly string[]): string[] {
  const flags: string[] = [];
  execArgv.forEach((flag, i) => {
    const previous = execArgv[i - 1] ?? "";
    if (flag.startsWith("--cpu-prof-name") || previous === "--cpu-prof-name") return;
    if (flag.startsWith("--cpu-prof") || previous === "--cpu-prof-dir" || previous === "--cpu-prof-interval")
      flags.push(flag);
  });
  return flags;
}

const tsxPackageSchema = z.object({
  exports: z.object({ "./esm/api": z.object({ import: z.object({ default: z.string() }) }) }),
});

function tsxEsmApi(moduleUrl: string): string {
  const packageJson = createRequire(moduleUrl).resolve("tsx/package.json");
  const tsx = tsxPackageSchema.parse(JSON.parse(readFileSync(packageJson, "utf8")));
  return pathToFileURL(join(dirname(packageJson), tsx.exports["./esm/api"].import.default)).href;
}
