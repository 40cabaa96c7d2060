import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import type { ScoredRow } from "../../../src/io/output/scored-rows.js";
import type { ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import { bundledFixture, fixturePool, inputFiles, miniBatch, unbundled } from "./scoring-fixtures.js";

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function caught(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the mini-batch to fail");
}

function instanceOf(rows: ScoredRow[]): unknown {
  const row = rows[0];
  return typeof row === "object" ? row.instance : undefined;
}

async function scoreNormally(pool: ScoringPool, index: number) {
  const { result } = await pool.run(miniBatch(index, await inputFiles({ [`ok-${index}.txt`]: "score" })));
  return result.rows;
}

describe("scoring pool failures", () => {
  it("stops a run() that exceeds the timeout, then scores the next mini-batch on a fresh worker", async () => {
    const { pool } = await fixturePool({
      script: await bundledFixture("misbehaving", "score.ts"),
      timeoutSeconds: 1,
    });
    const before = await scoreNormally(pool, 0);
    const error = await caught(pool.run(miniBatch(1, await inputFiles({ "h.txt": "hang" }), 2)));
    expect(error.code).toBe("MiniBatchTimeout");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("Mini-batch 1 (attempt 2)");
    expect(error.message).toContain("1 s timeout");
    expect(error.logs).toContainEqual(
      expect.objectContaining({ source: "script", message: "scoring h.txt: hang", miniBatch: 1, attempt: 2 }),
    );
    const after = await scoreNormally(pool, 2);
    expect(after).toEqual([expect.objectContaining({ file: "ok-2.txt", inits: 1 })]);
    expect(instanceOf(after)).not.toEqual(instanceOf(before));
  });

  it.each([
    ["exit", "exited with code: 7"],
    ["throw-later", "asynchronous failure in c.txt"],
    ["reject", "unhandled rejection in c.txt"],
  ])("contains a script that ends its worker (%s) and reports it", async (order, reason) => {
    const { pool } = await fixturePool({ script: await bundledFixture("misbehaving", "score.ts") });
    const before = await scoreNormally(pool, 0);
    const error = await caught(pool.run(miniBatch(4, await inputFiles({ "c.txt": order }))));
    expect(error.code).toBe("WorkerCrashed");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(reason);
    expect(error.logs).toContainEqual(
      expect.objectContaining({ source: "script", message: `scoring c.txt: ${order}` }),
    );
    expect(error.logs).toContainEqual(
      expect.objectContaining({ source: "engine", level: "error", miniBatch: 4 }),
    );
    const after = await scoreNormally(pool, 5);
    expect(after).toEqual([expect.objectContaining({ inits: 1 })]);
    expect(instanceOf(after)).not.toEqual(instanceOf(before));
  });

  it("survives a worker that fails between mini-batches and reports it with a later one", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("misbehaving", "score.ts") });
    const [file] = await inputFiles({ "late.txt": "crash-after" });
    if (file === undefined) throw new Error("no input file");
    const { result } = await pool.run(miniBatch(0, [file]));
    expect(result.rows).toEqual([expect.objectContaining({ file: "late.txt" })]);
    await waitFor(() => existsSync(`${file}.crashing`));
    const seen: string[] = [];
    for (let index = 1; index <= 3; index += 1) {
      try {
        const { logs } = await pool.run(
          miniBatch(index, await inputFiles({ [`next-${index}.txt`]: "score" })),
        );
        seen.push(...logs.map((record) => record.message));
        break;
      } catch (thrown) {
        if (!(thrown instanceof BatchfnError) || thrown.code !== "WorkerCrashed") throw thrown;
        seen.push(thrown.message);
      }
    }
    expect(seen.join("\n")).toContain("late failure after late.txt");
    expect(seen.some((message) => message.startsWith("Scoring runtime started"))).toBe(true);
  });

  it("fails the mini-batch with ScriptError when run() throws, keeping the worker and its runtime", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("misbehaving", "score.ts") });
    const before = await scoreNormally(pool, 0);
    const error = await caught(pool.run(miniBatch(6, await inputFiles({ "bad.txt": "fail" }))));
    expect(error.code).toBe("ScriptError");
    expect(error.message).toContain("cannot score bad.txt");
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).stack).toContain("cannot score bad.txt");
    expect((error.cause as Error).stack).toContain("score.ts");
    expect(error.logs).toContainEqual(
      expect.objectContaining({ message: "scoring bad.txt: fail", miniBatch: 6 }),
    );
    const after = await scoreNormally(pool, 7);
    expect(instanceOf(after)).toEqual(instanceOf(before));
  });

  it("reports an init() that throws as ScriptInitFailed with the error's message", async () => {
    const { pool, modelDir } = await fixturePool({ script: await bundledFixture("init-throws", "score.js") });
    const error = await caught(pool.run(miniBatch(0, await inputFiles({ "a.txt": "" }))));
    expect(error.code).toBe("ScriptInitFailed");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("init() of 'score.js' failed");
    expect(error.message).toContain(`model file missing: ${modelDir}/weights.bin`);
    expect(error.logs).toContainEqual(
      expect.objectContaining({ source: "script", level: "warning", message: "looking for weights.bin" }),
    );
  });

  it("stops a runtime start that exceeds the init timeout and reports ScriptInitFailed", async () => {
    const script = await unbundled(
      "export async function init() { await new Promise(() => {}); }\nexport async function run(m) { return m; }\n",
    );
    const { pool } = await fixturePool({ script, initTimeoutSeconds: 1 });
    const error = await caught(pool.run(miniBatch(0, await inputFiles({ "a.txt": "" }))));
    expect(error.code).toBe("ScriptInitFailed");
    expect(error.message).toContain("did not start within 1 s");
  });

  it("refuses a stored bundle that breaks the contract with InvalidScoringScript", async () => {
    const script = await unbundled(
      "export const init = 1;\nexport async function run(m) { return m; }\n",
      "old.mjs",
    );
    const { pool } = await fixturePool({ script });
    const error = await caught(pool.run(miniBatch(0, await inputFiles({ "a.txt": "" }))));
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("Scoring script 'old.mjs' exports init as a number, not a function");
  });

  it("fails the mini-batch with ScriptError when run() returns something other than an array", async () => {
    const { pool } = await fixturePool({
      script: await unbundled("export async function run() { return { a: 1 }; }\n"),
    });
    const error = await caught(pool.run(miniBatch(0, await inputFiles({ "a.txt": "" }))));
    expect(error.code).toBe("ScriptError");
    expect(error.message).toContain(
      "run() of 'score.mjs' must return an array with one element per scored item, got object",
    );
  });
});
