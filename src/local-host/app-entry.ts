import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { ensureError, errors } from "../errors.js";
import { isMissingFile } from "./host-json.js";

const packageJsonSchema = z.looseObject({ main: z.string().min(1).optional() });

/**
 * The files an app's entry names, as the Node worker finds them: `entry` when given, else the
 * `main` of the app's package.json (default `index.js`), relative to the app directory. A `*` in a
 * path segment matches any run of characters within that segment (`dist/functions/*.js`); matches
 * are sorted so registration order is stable.
 */
export async function resolveAppEntry(appDir: string, entry?: string): Promise<string[]> {
  const main = entry ?? (await readMain(appDir)) ?? "index.js";
  const pattern = resolve(appDir, main);
  const files = pattern.includes("*") ? await expand(pattern) : await existing(pattern);
  if (files.length === 0) {
    throw errors.invalidConfig(`The app entry '${main}' of ${appDir} matches no file`, [
      { path: "main", message: `'${main}' matches no file in ${appDir}` },
    ]);
  }
  return files;
}

async function readMain(appDir: string): Promise<string | undefined> {
  const file = join(appDir, "package.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (thrown) {
    if (isMissingFile(thrown)) return undefined;
    throw thrown;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (thrown) {
    const message = ensureError(thrown).message;
    throw errors.invalidConfig(`${file} is not valid JSON: ${message}`, [{ path: file, message }]);
  }
  const parsed = packageJsonSchema.safeParse(json);
  if (!parsed.success) {
    throw errors.invalidConfig(`${file}: "main" must be a non-empty string`, [
      { path: "main", message: `${file}: "main" must be a non-empty string` },
    ]);
  }
  return parsed.data.main;
}

async function existing(file: string): Promise<string[]> {
  try {
    return (await stat(file)).isFile() ? [file] : [];
  } catch (thrown) {
    if (isMissingFile(thrown)) return [];
    throw thrown;
  }
}

async function expand(pattern: string): Promise<string[]> {
  const segments = pattern.split(/[\\/]/);
  const firstWild = segments.findIndex((s) => s.includes("*"));
  let candidates = [segments.slice(0, firstWild).join("/") || "/"];
  for (const [index, segment] of segments.slice(firstWild).entries()) {
    const last = index === segments.length - firstWild - 1;
    const next: string[] = [];
    for (const dir of candidates) {
      if (!segment.includes("*")) {
        next.push(join(dir, segment));
        continue;
      }
      const matcher = new RegExp(`^${segment.split("*").map(escapeRegExp).join(".*")}$`);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const dirent of entries) {
        if (matcher.test(dirent.name) && (last ? dirent.isFile() : dirent.isDirectory())) {
          next.push(join(dir, dirent.name));
        }
      }
    }
    candidates = next;
  }
  const files = await Promise.all(candidates.map(existing));
  return files.flat().sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
