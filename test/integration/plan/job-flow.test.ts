import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveInput } from "../../../src/io/inputs/resolve-input.js";
import { checkOutputFree } from "../../../src/io/output/check-output-free.js";
import { finalizeOutput } from "../../../src/io/output/finalize-output.js";
import { writeJobSummary } from "../../../src/io/output/job-summary.js";
import { resolveOutputLocation } from "../../../src/io/output/output-location.js";
import { outputTarget } from "../../../src/io/output/output-target.js";
import type { PartRecord } from "../../../src/io/output/part-record.js";
import { writeRangeRecord } from "../../../src/io/output/range-record.js";
import type { RunResult } from "../../../src/io/output/scored-rows.js";
import { stageMiniBatchOutput } from "../../../src/io/output/stage-mini-batch.js";
import { checkErrorThreshold, tallyMiniBatch } from "../../../src/jobs/error-threshold.js";
import { downloadMiniBatch } from "../../../src/jobs/mini-batch/download-mini-batch.js";
import { failedMiniBatchResult } from "../../../src/jobs/mini-batch/failed-mini-batch.js";
import { planJob } from "../../../src/jobs/plan/plan-job.js";
import { readMiniBatch } from "../../../src/jobs/plan/read-plan.js";
import { blobJobStore } from "../../../src/jobs/store/job-store.js";
import { buildJobSummary } from "../../../src/jobs/summarize-job.js";
import type { MiniBatchFile } from "../../../src/scoring/runtime.js";
import { uniqueName } from "../../support/storage.js";
import { putBlobs, storageWorld } from "../io/input-fixtures.js";

/** A scoring stand-in: one row per file, "<file name>: <length of its content>". */
async function score(files: MiniBatchFile[]): Promise<RunResult> {
  const rows = await Promise.all(
    files.map(async (file) => `${basename(file.name)}: ${(await readFile(file.path, "utf8")).length}`),
  );
  return { rows, succeededItems: rows.length, failedItems: [] };
}

describe("a job from input to output", () => {
  it("plans, downloads, stages with a retry and a failed mini-batch, finalises and summarises", async () => {
    const world = await storageWorld();
    const files: Record<string, string> = {};
    for (let i = 0; i < 9; i += 1) files[`digits/${i < 3 ? "a/" : ""}d${i}.png`] = "p".repeat(i + 1);
    await putBlobs(world.container, files);
    const jobs = world.clients.blob.getContainerClient(uniqueName("jobs"));
    const job = uniqueName("job");
    const store = blobJobStore(jobs);
    const deps = { access: world.access, jobs, store };

    const input = await resolveInput({ uri: "azureml://datastores/ws/paths/digits/" }, world);
    const plan = await planJob({ jobName: job, input, miniBatchSize: 4 }, { store });
    const location = await resolveOutputLocation({
      job,
      catalog: world.catalog,
      access: world.access,
      outputPath: "azureml://datastores/ws/paths/results/",
    });
    const target = outputTarget({
      job,
      location,
      action: "append_row",
      fileName: "predictions.csv",
      format: "aml",
      miniBatches: plan.miniBatches,
    });
    await checkOutputFree(target, deps);

    let tally = { failedItems: 0, failedMiniBatches: 0 };
    const parts: PartRecord[] = [];
    for (let index = plan.miniBatches - 1; index >= 0; index -= 1) {
      const localDir = await mkdtemp(join(tmpdir(), "batchfn-flow-"));
      const downloaded = await downloadMiniBatch({ plan, index, localDir }, deps);
      if (index === 1) {
        await stageMiniBatchOutput(
          { target, index, attempt: 1, result: await score(downloaded.slice(0, 1)) },
          deps,
        );
        const { miniBatch } = await readMiniBatch(store, plan, index);
        const failed = failedMiniBatchResult(miniBatch, { code: "MiniBatchTimeout", message: "timed out" });
        const staged = await stageMiniBatchOutput(
          { target, index, attempt: 2, result: failed, failed: true },
          deps,
        );
        tally = tallyMiniBatch(tally, staged.failedItems);
        parts.push(staged);
        continue;
      }
      const staged = await stageMiniBatchOutput(
        { target, index, attempt: 1, result: await score(downloaded) },
        deps,
      );
      tally = tallyMiniBatch(tally, staged.failedItems);
      parts.push(staged);
    }
    const verdict = checkErrorThreshold(3, tally, plan.items);
    expect(verdict).toEqual({
      exceeded: true,
      message: "error_threshold 3 exceeded: 4 failed items (1 mini-batch) of 9",
    });

    // what the orchestration does once the job's one range ended: records its parts at once
    await writeRangeRecord(deps.jobs, target.job, { start: 0, end: plan.miniBatches, parts });
    const totals = await finalizeOutput(target, deps);
    const predictions = (
      await world.container.getBlobClient("results/predictions.csv").downloadToBuffer()
    ).toString();
    expect(predictions).toBe("d0.png: 1\nd1.png: 2\nd2.png: 3\nd3.png: 4\nd8.png: 9\n");
    const errorsFile = (
      await world.container.getBlobClient("results/errors.jsonl").downloadToBuffer()
    ).toString();
    expect(
      errorsFile
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).item),
    ).toEqual(["d4.png", "d5.png", "d6.png", "d7.png"]);

    const summary = buildJobSummary({
      target,
      counts: plan,
      totals,
      status: verdict.exceeded ? "Failed" : "Completed",
      input: input.display,
      errorThreshold: 3,
      settings: { mini_batch_size: 4 },
      startedAt: new Date(0),
      finishedAt: new Date(1000),
    });
    await writeJobSummary(target, summary, deps);
    const written = JSON.parse(
      (await world.container.getBlobClient("results/job_summary.json").downloadToBuffer()).toString(),
    );
    expect(written).toMatchObject({
      status: "Failed",
      items: { total: 9, succeeded: 5, failed: 4 },
      mini_batches: { total: 3, succeeded: 2, failed: 1, not_run: 0 },
      error_threshold: { exceeded: true },
    });
  });
});
