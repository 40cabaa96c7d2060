import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { bundleScoringScript } from "../../../src/scoring/script/bundle-scoring-script.js";
import { copyFixture, tempDir } from "./scoring-fixtures.js";

async function codeFolder(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("batchfn-code-");
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

async function refusal(codeDir: string, scoringScript: string): Promise<BatchfnError> {
  try {
    await bundleScoringScript({ codeDir, scoringScript });
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error(`expected '${scoringScript}' to be refused`);
}

describe("bundleScoringScript", () => {
  it("compiles a TypeScript script and its local imports into one ESM module", async () => {
    const bundle = await bundleScoringScript({
      codeDir: await copyFixture("echo-ts"),
      scoringScript: "score.ts",
    });
    expect(bundle.code).toMatch(/export\s*\{[^}]*\brun\b/);
    expect(bundle.code).toContain("function wordCount");
    expect(bundle.warnings).toEqual([]);
  });

  it("refuses a script that does not export run(), naming the script and the export", async () => {
    const codeDir = await codeFolder({ "score.js": "export async function init() {}\n" });
    const error = await refusal(codeDir, "score.js");
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.status).toBe(400);
    expect(error.message).toContain("'score.js' does not export run()");
  });

  it.each([
    [
      "init",
      "export const init = 42;\nexport async function run(m) { return m; }\n",
      "exports init as a number, not a function",
    ],
    [
      "shutdown",
      "export const shutdown = {};\nexport async function run(m) { return m; }\n",
      "exports shutdown as an object, not a function",
    ],
    ["run", "export const run = [];\n", "exports run as an array, not a function"],
  ])("refuses a script whose %s is not a function", async (name, source, message) => {
    const error = await refusal(await codeFolder({ "score.js": source }), "score.js");
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain(`Scoring script 'score.js' ${message}`);
    expect(error.details).toContainEqual(expect.objectContaining({ path: name }));
  });

  it("refuses a script with a syntax error, giving file:line:column", async () => {
    const source =
      "export async function run(miniBatch: string[]) {\n  return miniBatch.map((f) => f +);\n}\n";
    const error = await refusal(await codeFolder({ "score.ts": source }), "score.ts");
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain("'score.ts' does not build");
    expect(error.message).toMatch(/score\.ts:2:\d+: /);
    expect(error.details[0]?.path).toMatch(/^score\.ts:2:\d+$/);
  });

  it("refuses an import that cannot be resolved, naming it", async () => {
    const source = 'import { x } from "./missing.js";\nexport async function run() { return [x]; }\n';
    const error = await refusal(await codeFolder({ "score.js": source }), "score.js");
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain("score.js:1:");
    expect(error.message).toContain("./missing.js");
  });

  it("refuses a script whose top-level code throws when loaded", async () => {
    const source = 'throw new Error("no config at load time");\nexport async function run(m) { return m; }\n';
    const error = await refusal(await codeFolder({ "score.js": source }), "score.js");
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain("fails when loaded: no config at load time");
  });

  it.each([
    ["missing.js", "was not found in the code folder"],
    ["../outside.js", "must be a file inside the code folder"],
    ["score.py", "must be a JavaScript or TypeScript module"],
  ])("refuses scoring_script '%s'", async (scoringScript, message) => {
    const codeDir = await codeFolder({ "score.py": "def run(mini_batch): return mini_batch\n" });
    const error = await refusal(codeDir, scoringScript);
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain(`scoring_script '${scoringScript}' ${message}`);
  });
});
