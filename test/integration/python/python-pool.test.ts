import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { repoRoot } from "../../support/app-process.js";
import { inputFiles, instructions, pythonPool } from "./python-fixtures.js";

async function caught(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the mini-batch to fail");
}

describe("Python scoring pool", () => {
  it("runs init() once per process and run() per mini-batch, with Azure ML's environment and working folder", async () => {
    const { pool, codeDir } = await pythonPool();
    const first = await pool.run(await instructions(0, { "a.txt": "ok", "b.txt": "ok" }));
    expect(first.result.rows).toEqual([
      { file: "a.txt", model: "m-42", length: "2", score: "0.5" },
      { file: "b.txt", model: "m-42", length: "2", score: "0.5" },
    ]);
    expect(first.result.succeededItems).toBe(2);
    const folder = codeDir.split("/").pop();
    expect(first.logs).toContainEqual(
      expect.objectContaining({ source: "script", message: `init: model m-42, cwd ${folder}`, miniBatch: 0 }),
    );
    const second = await pool.run(await instructions(1, { "c.txt": "ok" }));
    expect(second.result.rows).toEqual([{ file: "c.txt", model: "m-42", length: "2", score: "0.5" }]);
    expect(second.logs.filter((r) => r.message.startsWith("init:"))).toEqual([]);
  });

  it("writes a list's elements as their str", async () => {
    const { pool } = await pythonPool();
    const { result } = await pool.run(await instructions(0, { "a.txt": "list", "b.txt": "ok" }));
    expect(result.rows).toEqual(["a.txt:0.5", "b.txt:0.5"]);
  });

  it("fails a mini-batch whose run() returns fewer elements than inputs, giving both counts", async () => {
    const { pool } = await pythonPool();
    const error = await caught(pool.run(await instructions(3, { "a.txt": "ok", "b.txt": "short" })));
    expect(error.code).toBe("ScriptError");
    expect(error.message).toContain("returned 1 results for 2 input items");
    expect(error.message).toContain("Mini-batch 3 (attempt 1)");
  });

  it("reports an exception in run() with its traceback, and the process scores the next mini-batch", async () => {
    const { pool } = await pythonPool();
    const error = await caught(pool.run(await instructions(0, { "a.txt": "raise broken-input" })));
    expect(error.code).toBe("ScriptError");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("ValueError: broken-input");
    expect(error.message).toContain(testInterpreterName());
    const stack = error.logs.find((r) => r.fields?.stack)?.fields?.stack;
    expect(String(stack)).toMatch(/File ".*score\.py", line \d+, in run/);
    const next = await pool.run(await instructions(1, { "b.txt": "ok" }));
    expect(next.logs.filter((r) => r.message.startsWith("init:"))).toEqual([]);
  });

  it("kills a run() that exceeds the timeout and replaces its process", async () => {
    const { pool } = await pythonPool({ timeoutSeconds: 1 });
    await pool.run(await instructions(0, { "a.txt": "ok" }));
    const error = await caught(pool.run(await instructions(1, { "s.txt": "sleep 30" }, 2)));
    expect(error.code).toBe("MiniBatchTimeout");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("Mini-batch 1 (attempt 2) did not finish within the 1 s timeout");
    const next = await pool.run(await instructions(2, { "b.txt": "ok" }));
    expect(next.logs.map((r) => r.message)).toContain("init: model m-42, cwd behaviours");
  });

  it.each([
    ["exit 3", "exited with code 3"],
    ["segv", "segmentation fault (SIGSEGV)"],
    ["kill", "killed by SIGKILL (out of memory, or killed from outside)"],
  ])("fails only the attempt of a process that ends (%s)", async (instruction, how) => {
    const { pool } = await pythonPool();
    const error = await caught(pool.run(await instructions(4, { "c.txt": instruction })));
    expect(error.code).toBe("WorkerCrashed");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(how);
    expect(error.message).toContain(testInterpreterName());
    const next = await pool.run(await instructions(5, { "d.txt": "ok" }));
    expect(next.result.rows).toHaveLength(1);
  });

  it("fails the attempt of a process that runs out of memory under worker_memory_mb", async () => {
    const { pool } = await pythonPool({ workerMemoryMb: 300 });
    const error = await caught(pool.run(await instructions(0, { "h.txt": "hog" })));
    expect(error.code).toBe("ScriptError");
    expect(error.message).toContain("MemoryError");
    const next = await pool.run(await instructions(1, { "d.txt": "ok" }));
    expect(next.result.rows).toHaveLength(1);
  });

  it("logs prints, stderr and logging records with the mini-batch and attempt, at the logging level", async () => {
    const { pool } = await pythonPool({ loggingLevel: "info" });
    const { logs } = await pool.run(await instructions(7, { "p.txt": "print 3" }, 2));
    const script = logs.filter((r) => r.source === "script");
    expect(script).toContainEqual(
      expect.objectContaining({
        level: "info",
        message: `line 0000002 ${"x".repeat(87)}`,
        miniBatch: 7,
        attempt: 2,
      }),
    );
    expect(script).toContainEqual(expect.objectContaining({ level: "warning", message: "to stderr" }));
    expect(script).toContainEqual(
      expect.objectContaining({ level: "warning", message: "behaviours: a warning from logging" }),
    );
    expect(script.some((r) => r.message.includes("debug line"))).toBe(false);
    const quiet = await pythonPool({ loggingLevel: "warning" });
    const warned = await quiet.pool.run(await instructions(0, { "p.txt": "print 3" }));
    expect(warned.logs.filter((r) => r.source === "script").map((r) => r.message)).toEqual([
      "to stderr",
      "behaviours: a warning from logging",
    ]);
  });

  it("keeps working when a script prints megabytes", async () => {
    const { pool } = await pythonPool();
    const { result, logs } = await pool.run(
      await instructions(0, { "p.txt": "print 100000", "q.txt": "ok" }),
    );
    expect(result.rows).toHaveLength(2);
    expect(logs[0]?.message).toMatch(/earlier log records of this mini-batch were dropped/);
    expect(logs).toContainEqual(expect.objectContaining({ message: `line 0099999 ${"x".repeat(87)}` }));
  });

  it("gives the script AZUREML_BI_OUTPUT_PATH and the deployment's environment variables", async () => {
    const { pool, outputDir } = await pythonPool({ env: { GREETING: "hello" } });
    await pool.run(await instructions(0, { "w.txt": "write out.txt" }));
    expect(await readFile(join(outputDir, "out.txt"), "utf8")).toBe("written for w.txt (hello)\n");
  });

  it("gives the process the deployment's variables and Azure ML's, never the app's settings or secrets", async () => {
    const saved = process.env.BATCHFN_ADMIN_KEY;
    process.env.BATCHFN_ADMIN_KEY = "admin-key-the-script-must-not-see";
    try {
      const { pool } = await pythonPool({ fixture: "environ", env: { GREETING: "hello" } });
      const { result } = await pool.run(await instructions(0, { "a.txt": "ok" }));
      const names = String(result.rows[0]).split(" ");
      expect(names).toEqual(
        expect.arrayContaining(["GREETING", "AZUREML_MODEL_DIR", "AZUREML_BI_OUTPUT_PATH", "PATH"]),
      );
      expect(names.filter((name) => name.startsWith("BATCHFN_") && name !== "BATCHFN_MODEL_DIR")).toEqual([]);
      expect(names).not.toContain("AzureWebJobsStorage");
    } finally {
      if (saved === undefined) delete process.env.BATCHFN_ADMIN_KEY;
      else process.env.BATCHFN_ADMIN_KEY = saved;
    }
  });

  it("reports an init() that fails as ScriptInitFailed, and tries a new process on the next mini-batch", async () => {
    const { pool } = await pythonPool({ fixture: "init-fails" });
    const error = await caught(pool.run(await instructions(0, { "a.txt": "ok" })));
    expect(error.code).toBe("ScriptInitFailed");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("init() of 'score.py' failed");
    expect(error.message).toContain("FileNotFoundError");
    const again = await caught(pool.run(await instructions(1, { "a.txt": "ok" })));
    expect(again.code).toBe("ScriptInitFailed");
  });

  it("names the interpreter when it cannot be started", async () => {
    const { pool } = await pythonPool({ interpreter: "/nonexistent/python3" });
    const error = await caught(pool.run(await instructions(0, { "a.txt": "ok" })));
    expect(error.code).toBe("ScriptInitFailed");
    expect(error.message).toContain("'/nonexistent/python3' (BATCHFN_PYTHON) could not be started");
  });

  it("runs shutdown() when the pool closes", async () => {
    const { pool, outputDir } = await pythonPool({ fixture: "shutdown" });
    await pool.run(await instructions(0, { "a.txt": "ok" }));
    await pool.close();
    expect(await readFile(join(outputDir, "shutdown.txt"), "utf8")).toBe("1 mini-batches\n");
  });
});

function testInterpreterName(): string {
  return process.env.BATCHFN_PYTHON || "python3";
}

describe("Python scoring pool: run_files modules", () => {
  it("hands each file over with its name, Parquet as typed columns, and keeps the items that failed alone", async () => {
    const { pool } = await pythonPool({ fixture: "items", entry: "run_files" });
    const parquet = await readFile(join(repoRoot, "examples/sklearn-diabetes/data/patients-04.parquet"));
    const paths = await inputFiles({
      "a.txt": "x",
      "bad.txt": "y",
      "p.parquet": parquet,
      "broken.parquet": "no",
    });
    const input = {
      index: 2,
      attempt: 1,
      files: paths.map((path) => ({ path, name: `in/${path.split("/").pop()}`, rowOffset: 0 })),
    };
    const { result } = await pool.run(input);
    expect(result.rows).toEqual([
      { file_name: "in/a.txt", rows: 1, kind: "text", ratio: 0.5 },
      {
        file_name: "in/p.parquet",
        rows: expect.any(Number),
        kind: expect.stringMatching(/:float64|:int64/),
        ratio: null,
      },
    ]);
    expect(result.succeededItems).toBe(2);
    expect(result.failedItems.map((f) => [f.item, f.code])).toEqual([
      ["in/broken.parquet", "InvalidInputFile"],
      ["in/bad.txt", "InvalidInputFile"],
    ]);
  });
});
