#!/usr/bin/env node
// The `batchfn` command of this repository (package.json `bin`: `npx batchfn`, `npm link`,
// `npm install -g .`). It runs the CLI bundle dist/cli/batchfn.mjs — compiled JavaScript, one file —
// and first builds it again from the sources (scripts/cli-bundle.ts, with esbuild) when it is
// missing or when a source it was built from, or the installed packages, changed since: an old
// build never hides an edit. The CLI package cli/ ships the same bundle on its own.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "cli", "batchfn.mjs");

if (stale()) {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    process.stderr.write(
      `ERROR: the batchfn CLI is not built and cannot be: run 'npm install' in ${root} first.\n`,
    );
    process.exit(1);
  }
  const unregister = tsx.register();
  const { buildCliBundle } = await import(pathToFileURL(join(root, "scripts", "cli-bundle.ts")).href);
  await buildCliBundle(bundle);
  await unregister();
}
await import(pathToFileURL(bundle).href);

/** True when the bundle is missing or older than one of its sources or than the last npm install. */
function stale() {
  const built = mtime(bundle);
  if (built === undefined) return true;
  let sources;
  try {
    sources = JSON.parse(readFileSync(`${bundle}.sources.json`, "utf8"));
  } catch {
    return true;
  }
  const newer = (file, missing) => (mtime(join(root, file)) ?? missing) > built;
  return (
    sources.some((file) => newer(file, Number.POSITIVE_INFINITY)) ||
    ["scripts/cli-bundle.ts", "node_modules/.package-lock.json"].some((file) => newer(file, 0))
  );
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : undefined;
}
