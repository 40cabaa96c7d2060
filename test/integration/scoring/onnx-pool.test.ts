import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createScoringPool, type ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import { inputFiles, miniBatch, tempDir } from "./scoring-fixtures.js";

const perColumnModel = fileURLToPath(new URL("../../fixtures/models/per-column", import.meta.url));
const pools: ScoringPool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

describe("the scoring pool with the no-code ONNX runtime", () => {
  it("loads the ONNX runtime inside its worker and scores a CSV file", async () => {
    const pool = createScoringPool({
      runtime: { kind: "onnx", modelDir: perColumnModel, outputDir: await tempDir(), env: {} },
      workers: 1,
      timeoutSeconds: 30,
      loggingLevel: "info",
      workerMemoryMb: 512,
    });
    pools.push(pool);
    const files = await inputFiles({ "t.csv": "a,b,c\n1,2,3\n0,0,0\n" });
    const { result, logs } = await pool.run(miniBatch(0, files));
    expect(result.succeededItems).toBe(1);
    expect(result.failedItems).toEqual([]);
    expect(result.rows).toHaveLength(2);
    const [first, second] = result.rows;
    expect(first).toMatchObject({ row: 0, file_name: "t.csv" });
    expect(second).toMatchObject({ row: 1, file_name: "t.csv" });
    expect(Object.values(first ?? {})).toContain(0.5 * 1 - 1.25 * 2 + 2 * 3 + 0.75);
    expect(Object.values(second ?? {})).toContain(0.75);
    expect(logs).toContainEqual(
      expect.objectContaining({ source: "engine", message: expect.stringContaining("started") }),
    );
  });
});
