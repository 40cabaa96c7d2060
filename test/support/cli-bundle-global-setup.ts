import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { buildCliBundle } from "../../scripts/cli-bundle.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

declare module "vitest" {
  export interface ProvidedContext {
    /** The CLI bundled as it is installed (scripts/cli-bundle.ts), built once for the whole run. */
    cliBundle: string;
  }
}

/**
 * Bundles the CLI once for the integration project, beside the CLI package's manifest as `npm
 * install` lays it out: the tests run `batchfn` in the form users run it (one compiled file, a
 * fraction of a second to start) rather than the sources through tsx.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-cli-bundle-"));
  const file = join(dir, "batchfn-cli", "batchfn.mjs");
  await mkdir(dirname(file));
  await copyFile(join(repoRoot, "cli", "package.json"), join(dirname(file), "package.json"));
  await buildCliBundle(file);
  project.provide("cliBundle", file);
  return () => rm(dir, { recursive: true, force: true });
}
