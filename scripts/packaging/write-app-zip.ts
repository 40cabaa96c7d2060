import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { IgnoreRules } from "./funcignore.js";
import { createZipWriter } from "./zip-writer.js";

export interface AppZipResult {
  files: number;
  bytes: number;
  /** Symbolic links left out (a zip deploy cannot rely on them). */
  skippedLinks: string[];
}

/** Zips every file of `appDir` that `.funcignore` keeps, in path order, with its permission bits (synchronous file reads, see zip-writer). */
export async function writeAppZip(
  appDir: string,
  zipPath: string,
  rules: IgnoreRules,
): Promise<AppZipResult> {
  const zip = await createZipWriter(zipPath);
  const skippedLinks: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const entries = readdirSync(join(appDir, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        if (!rules.ignores(path)) skippedLinks.push(path);
      } else if (entry.isDirectory()) {
        if (!rules.ignores(path, true)) await visit(path);
      } else if (entry.isFile() && !rules.ignores(path)) {
        const full = join(appDir, path);
        const mode = lstatSync(full).mode & 0o777;
        await zip.add({ name: path, data: readFileSync(full), mode });
      }
    }
  };
  await visit("");
  const files = await zip.close();
  return { files, bytes: lstatSync(zipPath).size, skippedLinks };
}
