import { copyFile, mkdir, readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

/**
 * Copies the Python files batchfn ships (`src/**\/*.py`: the scoring driver and built-in scoring
 * modules) into a build's `dist/src/`, beside the compiled modules that run them; tsc copies only
 * TypeScript's output. Returns the paths copied, relative to `distDir`.
 */
export async function copyPythonFiles(repoDir: string, distDir: string): Promise<string[]> {
  const source = join(repoDir, "src");
  const entries = await readdir(source, { recursive: true, withFileTypes: true });
  const copied: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".py")) continue;
    const from = join(entry.parentPath, entry.name);
    const to = join(distDir, "src", relative(source, from));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to);
    copied.push(relative(distDir, to));
  }
  return copied;
}
