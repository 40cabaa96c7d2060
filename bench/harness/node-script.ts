import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { z } from "zod";
import { repoRoot } from "./host-process.js";

const run = promisify(execFile);

/**
 * Runs a bench program (`bench/limits/*.ts`) in a Node process of its own, from the repository
 * root, and parses the JSON line it prints last.
 */
export async function runNodeScript<S extends z.ZodType>(
  script: string,
  args: string[],
  schema: S,
): Promise<z.output<S>> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", join(repoRoot, script), ...args], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return schema.parse(JSON.parse(last));
}
