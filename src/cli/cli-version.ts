import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const packageSchema = z.object({ name: z.string(), version: z.string() });

/**
 * What `batchfn --version` prints, as az prints its own and its extensions' versions: the version of
 * the package the CLI runs from (the nearest package.json above this file, in the sources as in an
 * installed copy) and of Node.js.
 */
export function versionText(): string {
  const found = nearestPackage(dirname(fileURLToPath(import.meta.url)));
  const version = found ? `${found.name} ${found.version}` : "batchfn (version unknown)";
  return `${version}\nnode ${process.versions.node}`;
}

function nearestPackage(start: string): z.infer<typeof packageSchema> | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const parsed = packageSchema.safeParse(readJson(join(dir, "package.json")));
    if (parsed.success) return parsed.data;
    if (dirname(dir) === dir) return undefined;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
