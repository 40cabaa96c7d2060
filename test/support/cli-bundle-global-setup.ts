import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildCliBundle } from "../../scripts/cli-bundle.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The CLI bundled as it is installed (scripts/cli-bundle.ts), built once for the whole run. */
    cliBundle: string;
  }
}

/**
 * Bundles the CLI once for the integration project: the tests run `batchfn` in the form users run
 * it (one compiled file, a fraction of a second to start) rather than the sources through tsx.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-cli-bundle-"));
  const file = join(dir, "batchfn.mjs");
  await buildCliBundle(file);
  project.provide("cliBundle", file);
  return () => rm(dir, { recursive: true, force: true });
}
