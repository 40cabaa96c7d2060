import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { checkOutputFree } from "../../../src/io/output/check-output-free.js";
import { writeJobSummary } from "../../../src/io/output/job-summary.js";
import { defaultOutputPath, resolveOutputLocation } from "../../../src/io/output/output-location.js";
import { uploadSummaryOutputs } from "../../../src/io/output/summary-outputs.js";
import { buildJobSummary } from "../../../src/jobs/summarize-job.js";
import { catalogOf } from "./input-fixtures.js";
import { outputWorld, rowsResult } from "./output-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

describe("errors.jsonl and job_summary.json", () => {
  it("records one error line per failed item of the final attempts and summarises the job", async () => {
    const world = await outputWorld();
    const target = await world.target({ miniBatches: 4 });
    await checkOutputFree(target, world.deps);
    const failing = (item: string, count = 1) => ({
      item,
      count,
      code: "InvalidColumnValue",
      message: `bad ${item}`,
    });
    await world.stage({ target, index: 0, attempt: 1, result: rowsResult(["r0"], [failing("retried.csv")]) });
    await world.stage({ target, index: 0, attempt: 2, result: rowsResult(["r0"]) });
    await world.stage({
      target,
      index: 1,
      attempt: 1,
      result: rowsResult(["r1"], [failing("a.csv"), failing("big.csv", 40)]),
    });
    await world.stage({ target, index: 2, attempt: 3, result: rowsResult(["r2"]) });

    const totals = await world.finalize(target);
    const lines = (await world.read("errors.jsonl"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { item: "a.csv", mini_batch: 1, attempt: 1, code: "InvalidColumnValue", message: "bad a.csv" },
      {
        item: "big.csv",
        mini_batch: 1,
        attempt: 1,
        code: "InvalidColumnValue",
        message: "bad big.csv",
        count: 40,
      },
    ]);

    const summary = buildJobSummary({
      target,
      counts: { miniBatches: 4, files: 4, rows: 120, items: 120 },
      totals,
      status: "Failed",
      input: "azureml://datastores/ws/paths/in/",
      errorThreshold: 5,
      settings: { mini_batch_size: 1, mini_batch_rows: 40 },
      startedAt: new Date("2026-01-01T00:00:00Z"),
      finishedAt: new Date("2026-01-01T00:01:30Z"),
      failure: { code: "ErrorThresholdExceeded", message: "stop" },
    });
    const written = await writeJobSummary(target, summary, world.deps);
    expect(written).toBe("azureml://datastores/ws/paths/out/job_summary.json");
    expect(JSON.parse(await world.read("job_summary.json"))).toEqual({
      job: target.job,
      status: "Failed",
      failure: { code: "ErrorThresholdExceeded", message: "stop" },
      input: "azureml://datastores/ws/paths/in/",
      output: {
        path: "azureml://datastores/ws/paths/out/",
        action: "append_row",
        format: "aml",
        files: ["azureml://datastores/ws/paths/out/predictions.csv"],
        errors: ["azureml://datastores/ws/paths/out/errors.jsonl"],
        summary: "azureml://datastores/ws/paths/out/job_summary.json",
      },
      items: { total: 120, succeeded: 3, failed: 41, files: 4, rows: 120 },
      mini_batches: { total: 4, succeeded: 2, failed: 1, not_run: 1 },
      rows_written: 3,
      error_lines: 2,
      error_threshold: {
        value: 5,
        exceeded: true,
        message: "error_threshold 5 exceeded: 41 failed items (1 mini-batch) of 120",
      },
      settings: { mini_batch_size: 1, mini_batch_rows: 40 },
      timings: {
        started_at: "2026-01-01T00:00:00.000Z",
        finished_at: "2026-01-01T00:01:30.000Z",
        duration_seconds: 90,
      },
    });

    await writeJobSummary(target, { ...summary, status: "Completed" }, world.deps);
    expect(JSON.parse(await world.read("job_summary.json")).status).toBe("Completed");
    const otherJob = { ...target, job: `${target.job}x` };
    expect((await failure(writeJobSummary(otherJob, summary, world.deps))).code).toBe("OutputExists");
  });
});

describe("summary_only output", () => {
  it("uploads the script's files under the output path, replacing them on retry, and counts them", async () => {
    const world = await outputWorld();
    const target = await world.target({ action: "summary_only", miniBatches: 2 });
    await checkOutputFree(target, world.deps);
    const attempt = async (content: string) => {
      const localDir = await mkdtemp(join(tmpdir(), "batchfn-out-"));
      await mkdir(join(localDir, "reports", "2026"), { recursive: true });
      await writeFile(join(localDir, "reports", "2026", "a.txt"), content);
      await writeFile(join(localDir, "b.json"), "{}");
      return uploadSummaryOutputs({ target, localDir }, world.deps);
    };
    await attempt("first attempt");
    const uploaded = await attempt("second attempt");
    expect(uploaded).toEqual({ files: 2, bytes: "second attempt".length + 2 });
    await world.stage({
      target,
      index: 0,
      attempt: 2,
      result: rowsResult(["counted", "not written"]),
      outputFiles: uploaded.files,
    });
    const totals = await world.finalize(target);
    expect(await world.read("reports/2026/a.txt")).toBe("second attempt");
    expect(totals).toMatchObject({ predictionFiles: [], rows: 0, outputFiles: 2, items: { succeeded: 2 } });
    const names: string[] = [];
    for await (const blob of world.container.listBlobsFlat({ prefix: "out/" })) names.push(blob.name);
    expect(names.sort()).toEqual(["out/b.json", "out/errors.jsonl", "out/reports/2026/a.txt"]);

    const again = await failure(checkOutputFree(target, world.deps));
    expect(again.code).toBe("OutputExists");
  });

  it("refuses a script file named like batchfn's own files", async () => {
    const world = await outputWorld();
    const target = await world.target({ action: "summary_only" });
    const localDir = await mkdtemp(join(tmpdir(), "batchfn-out-"));
    await writeFile(join(localDir, "job_summary.json"), "{}");
    const error = await failure(uploadSummaryOutputs({ target, localDir }, world.deps));
    expect(error.message).toContain("job_summary.json");
  });
});

describe("output location", () => {
  it("defaults to batchfn-outputs/<job>/ on workspaceblobstore and resolves datastore paths as folders", async () => {
    const world = await outputWorld();
    expect(defaultOutputPath("j1")).toBe("azureml://datastores/workspaceblobstore/paths/batchfn-outputs/j1/");
    const catalog = catalogOf([
      { name: "workspaceblobstore", container_name: world.containerName },
      { name: "ws", container_name: world.containerName },
    ]);
    const fallback = await resolveOutputLocation({ job: "j1", catalog, access: world.access });
    expect(fallback).toEqual({
      display: "azureml://datastores/workspaceblobstore/paths/batchfn-outputs/j1/",
      store: { kind: "app" },
      container: world.containerName,
      prefix: "batchfn-outputs/j1/",
    });
    const short = await resolveOutputLocation({
      outputPath: { datastore: "ws", path: "a/b" },
      job: "j1",
      catalog,
      access: world.access,
    });
    expect(short.prefix).toBe("a/b/");
    const bad = await failure(
      resolveOutputLocation({
        outputPath: "azureml://datastores/ws/paths/../x",
        job: "j1",
        catalog,
        access: world.access,
      }),
    );
    expect(bad.code).toBe("InvalidInput");
    const unknown = await failure(
      resolveOutputLocation({
        outputPath: "azureml://datastores/nope/paths/x",
        job: "j1",
        catalog,
        access: world.access,
      }),
    );
    expect(unknown.code).toBe("DatastoreNotFound");
  });
});
