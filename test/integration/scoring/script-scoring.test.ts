import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledFixture, fixturePool, inputFiles, miniBatch } from "./scoring-fixtures.js";

describe("custom scoring scripts in the worker pool", () => {
  it("scores a mini-batch with a JavaScript script", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("echo-js", "score.js") });
    const files = await inputFiles({ "a.txt": "hello", "b.txt": "hi there" });
    const { result } = await pool.run(miniBatch(0, files));
    expect(result.rows).toEqual(["a.txt: js 5", "b.txt: js 8"]);
    expect(result.succeededItems).toBe(2);
    expect(result.failedItems).toEqual([]);
  });

  it("writes files handed over in memory before run() sees their paths, in the worker, again on a retry, and removes them after", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("echo-js", "score.js") });
    const dir = await mkdtemp(join(tmpdir(), "batchfn-in-memory-"));
    await writeFile(join(dir, "c.txt"), "on disk");
    const files = [
      { path: join(dir, "nested", "a.txt"), name: "a.txt", rowOffset: 0, data: Buffer.from("hello") },
      { path: join(dir, "b.txt"), name: "b.txt", rowOffset: 0, data: new TextEncoder().encode("hi there") },
      { path: join(dir, "c.txt"), name: "c.txt", rowOffset: 0 },
    ];
    for (const attempt of [1, 2]) {
      const { result } = await pool.run({ index: 0, attempt, files });
      expect(result.rows).toEqual(["a.txt: js 5", "b.txt: js 8", "c.txt: js 7"]);
      // the files written from memory are gone once run() is done; a file that was on disk stays
      expect((await readdir(dir, { recursive: true })).sort()).toEqual(["c.txt", "nested"]);
    }
  });

  it("scores a mini-batch with a TypeScript script that imports a local module", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("echo-ts", "score.ts") });
    const files = await inputFiles({ "one.txt": "a b c", "two.txt": "d" });
    const { result } = await pool.run(miniBatch(3, files));
    expect(result.rows).toEqual([
      { file: "one.txt", words: 3, runtime: "ts" },
      { file: "two.txt", words: 1, runtime: "ts" },
    ]);
    expect(result.succeededItems).toBe(2);
  });

  it("runs init once per worker across many mini-batches", async () => {
    const { pool, outputDir } = await fixturePool({
      script: await bundledFixture("init-count", "score.mjs"),
      workers: 2,
    });
    const files = await inputFiles(
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, "x"])),
    );
    const scored = await Promise.all(files.map((file, index) => pool.run(miniBatch(index, [file]))));
    const rows = scored.flatMap(({ result }) => result.rows);
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(row).toMatchObject({ inits: 1 });
    const instances = new Set(rows.map((row) => (typeof row === "string" ? row : row.instance)));
    expect(instances.size).toBeGreaterThanOrEqual(1);
    expect(instances.size).toBeLessThanOrEqual(2);
    const initLines = (await readFile(join(outputDir, "inits.log"), "utf8")).trim().split("\n");
    expect(initLines.length).toBe(instances.size);
  });

  it("calls each started runtime's shutdown() when the pool closes", async () => {
    const { pool, outputDir } = await fixturePool({
      script: await bundledFixture("init-count", "score.mjs"),
      workers: 2,
    });
    const files = await inputFiles({ "a.txt": "x", "b.txt": "y", "c.txt": "z" });
    const scored = await Promise.all(files.map((file, index) => pool.run(miniBatch(index, [file]))));
    const instances = new Set(
      scored.flatMap(({ result }) =>
        result.rows.map((row) => (typeof row === "string" ? row : row.instance)),
      ),
    );
    await pool.close();
    const shutdowns = (await readFile(join(outputDir, "shutdowns.log"), "utf8")).trim().split("\n");
    expect(new Set(shutdowns)).toEqual(instances);
    await expect(pool.run(miniBatch(9, files))).rejects.toMatchObject({ code: "WorkerCrashed" });
  });

  it("gives the script AZUREML_MODEL_DIR, BATCHFN_MODEL_DIR, AZUREML_BI_OUTPUT_PATH and the deployment's variables", async () => {
    const { pool, modelDir, outputDir } = await fixturePool({
      script: await bundledFixture("env", "score.ts"),
      env: { DEPLOYMENT_SETTING: "from-deployment" },
    });
    const { result } = await pool.run(miniBatch(0, await inputFiles({ "a.txt": "" })));
    expect(result.rows).toEqual([
      {
        AZUREML_MODEL_DIR: modelDir,
        BATCHFN_MODEL_DIR: modelDir,
        AZUREML_BI_OUTPUT_PATH: outputDir,
        DEPLOYMENT_SETTING: "from-deployment",
        contextModelDir: modelDir,
        contextOutputDir: outputDir,
        contextSetting: "from-deployment",
      },
    ]);
    expect(process.env.DEPLOYMENT_SETTING).toBeUndefined();
  });
});
