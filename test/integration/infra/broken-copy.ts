import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { repoRoot } from "../../support/app-process.js";
import type { Combination } from "./combinations.js";
import { checkInfra, type InfraExpectations } from "./infra-checks.js";
import { infraFiles } from "./infra-expectations.js";

/** One deliberate break of a copy of infra/, and what the checks must say about it. */
export interface Breakage {
  what: string;
  file: string;
  /** The exact text to change; the test fails if the Bicep no longer holds it. */
  find: string;
  replace: string;
  reported: RegExp;
  /** The combination whose check must catch it (default: that of main.parameters.json). */
  combination?: Combination;
}

const copies: string[] = [];
afterAll(async () => {
  await Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * Breaks a fresh copy of infra/ and expects the checks to report it. `minimumReplicas: 0` asks for
 * scale to zero, which the Azure Storage backend must refuse.
 */
export async function expectBreakageReported(
  breakage: Breakage,
  expectations: InfraExpectations,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-infra-"));
  copies.push(dir);
  await cp(join(repoRoot, "infra"), dir, { recursive: true });
  const path = join(dir, breakage.file);
  const original = await readFile(path, "utf8");
  expect(original).toContain(breakage.find);
  await writeFile(path, original.replace(breakage.find, breakage.replace));
  const problems = checkInfra(infraFiles(dir), expectations, breakage.combination, {
    minimumReplicas: 0,
    maximumReplicas: 37,
  });
  expect(problems.join("\n")).toMatch(breakage.reported);
}
