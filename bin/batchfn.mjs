#!/usr/bin/env node
// The `batchfn` command: runs the compiled CLI (npm run build) when it is at least as new as the
// TypeScript sources, else the sources through tsx (a dev dependency, there after npm install in
// this repository) — so an old `dist/` never hides an edit.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "src", "cli", "main.js");
const sources = join(root, "src");

if (existsSync(compiled) && !newerSources(statSync(compiled).mtimeMs)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(sources, "cli", "main.ts")).href);
}

function newerSources(builtAt) {
  if (!existsSync(sources)) return false;
  return readdirSync(sources, { recursive: true, withFileTypes: true }).some(
    (entry) =>
      entry.isFile() &&
      entry.name.endsWith(".ts") &&
      statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > builtAt,
  );
}
