import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createBlobAccess } from "../../../src/io/inputs/blob-access.js";
import type { InputItem, ResolvedInput } from "../../../src/io/inputs/resolved-input.js";
import { createJobActivities } from "../../../src/jobs/activities/job-activities.js";
import type { JobInputs } from "../../../src/jobs/activities/job-inputs.js";
import { createScoringPools } from "../../../src/jobs/activities/scoring-pools.js";
import type { JobSpec } from "../../../src/jobs/job-spec.js";
import type { JobActivities } from "../../../src/jobs/orchestration/activity-contract.js";
import { readMiniBatch } from "../../../src/jobs/plan/read-plan.js";
import { memoryJobStore } from "../../../src/jobs/store/job-store.js";
import { createDeploymentAssets } from "../../../src/scoring/deployment-assets.js";
import { settingLimits } from "../../../src/spec/setting-limits.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { jobRecord, jobSpec } from "../../support/job-fixtures.js";
import { memoryJobLog, memoryJobRecords } from "../../support/memory-ports.js";
import { refusal } from "../../support/refusal.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const DISPLAY = "azureml://datastores/workspaceblobstore/paths/in/";

/**
 * Storage that answers nothing (a closed port): the paths tested here touch only the job store,
 * the records and the log, and a call to anything else fails the test.
 */
const NOWHERE =
  "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";

/** An input folder of these items (name → rows for tabular ones), as the inputs port lists it. */
function inputsOf(items: Record<string, number>): JobInputs & { resolved: ResolvedInput } {
  const resolved: ResolvedInput = {
    display: DISPLAY,
    type: "uri_folder",
    root: { kind: "blob", store: { kind: "app" }, container: "data", prefix: "in/" },
    items: Object.keys(items).map((name): InputItem => ({ name, size: 10 })),
  };
  return { resolved, resolve: async () => resolved, countRows: async (_root, item) => items[item.name] ?? 0 };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The activities of one host, on an in-memory job store, records and log. */
async function host(options: { items?: Record<string, number>; maxConcurrency?: number } = {}) {
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-activities-"));
  const clients = createStorageClients({ kind: "connectionString", connectionString: NOWHERE });
  const store = memoryJobStore();
  const records = memoryJobRecords();
  const jobLog = memoryJobLog();
  const pools = createScoringPools();
  const inputs = inputsOf(options.items ?? { "a.txt": 0, "b.txt": 0, "c.txt": 0, "d.txt": 0, "e.txt": 0 });
  const deps = {
    store,
    inputs,
    access: createBlobAccess({ clients }),
    jobs: clients.blob.getContainerClient("jobs"),
    jobLog,
    assets: createDeploymentAssets({
      workDir,
      download: async () => {
        throw new Error("no artifact is downloaded here");
      },
      pythonInterpreter: "python3",
    }),
    pools,
    records,
    workDir,
    limits: settingLimits({ maxConcurrencyPerInstance: options.maxConcurrency ?? 8, source: "the test" }),
    workerMemoryMb: 512,
    now: () => NOW,
  };
  cleanups.push(async () => {
    await pools.closeAll();
    await rm(workDir, { recursive: true, force: true });
  });
  const activities: JobActivities = createJobActivities(deps);
  /** Stores a submitted job, as submission does. */
  const submit = async (spec: JobSpec, status: "NotStarted" | "CancelRequested" = "NotStarted") => {
    await store.saveSpec(spec);
    await records.create(jobRecord(spec, status));
    return spec.name;
  };
  return { ...deps, activities, submit, log: (job: string) => jobLog.records(job) };
}

describe("planJob on an in-memory job store", () => {
  it("writes the plan, prepares the output target, marks the job Running and logs what it planned", async () => {
    const world = await host();
    const spec = jobSpec("plan-five", { mini_batch_size: 2 });
    const job = await world.submit(spec);

    expect(await world.activities.planJob({ jobName: job })).toEqual({ miniBatches: 3, items: 5 });

    const prepared = await world.store.loadPrepared(job);
    expect(prepared?.planned_at).toBe(NOW.toISOString());
    expect(prepared?.input).toBe(DISPLAY);
    expect(prepared?.target).toMatchObject({ job, location: spec.output.location, miniBatches: 3 });
    const plan = prepared?.plan ?? { job, planId: "", miniBatches: 0, files: 0, items: 0 };
    const names = [];
    for (let index = 0; index < 3; index += 1)
      names.push((await readMiniBatch(world.store, plan, index)).miniBatch.items.map((item) => item.name));
    expect(names).toEqual([["a.txt", "b.txt"], ["c.txt", "d.txt"], ["e.txt"]]);
    expect(await world.records.get(job)).toMatchObject({ status: "Running", started_at: NOW.toISOString() });
    expect(world.log(job).map((r) => [r.level, r.message])).toEqual([
      ["info", `Planned 3 mini-batches of 5 items from ${DISPLAY}; output ${spec.output.path}`],
    ]);
  });

  it("cuts tabular files by rows with mini_batch_rows, counting them through the inputs port", async () => {
    const world = await host({ items: { "a.csv": 5, "b.csv": 2 } });
    const job = await world.submit(jobSpec("plan-rows", { mini_batch_rows: 3 }));
    expect(await world.activities.planJob({ jobName: job })).toEqual({ miniBatches: 3, items: 7 });
  });

  it("leaves a job asked to cancel before it was planned CancelRequested", async () => {
    const world = await host();
    const job = await world.submit(jobSpec("plan-canceled"), "CancelRequested");
    await world.activities.planJob({ jobName: job });
    expect((await world.records.get(job))?.status).toBe("CancelRequested");
  });

  it("fails a job above this host's bounds before reading its input, logging why, and writes no plan", async () => {
    const world = await host({ maxConcurrency: 2 });
    const job = await world.submit(jobSpec("plan-wide", { max_concurrency_per_instance: 4 }));
    const error = await refusal(world.activities.planJob({ jobName: job }));
    expect(error.code).toBe("LimitExceeded");
    expect(error.message).toContain("max_concurrency_per_instance");
    expect(world.store.documents.names()).toEqual([`${job}/spec.json`]);
    expect(world.log(job)).toMatchObject([{ level: "error", message: `Planning failed: ${error.message}` }]);
  });

  it("refuses a job whose spec claims no output folder (CorruptRecord), naming the job", async () => {
    const world = await host();
    const spec = jobSpec("plan-unclaimed");
    const job = await world.submit({ ...spec, output: { path: spec.output.path, overwrite: false } });
    const error = await refusal(world.activities.planJob({ jobName: job }));
    expect(error.code).toBe("CorruptRecord");
    expect(error.message).toContain(`Job '${job}' has no claimed output folder`);
  });
});

describe("scoreMiniBatch on an in-memory job store", () => {
  it("refuses a mini-batch of a job not planned yet, then sees the plan once it is written", async () => {
    const world = await host();
    const job = await world.submit(jobSpec("score-early"));
    const early = await refusal(world.activities.scoreMiniBatch({ jobName: job, index: 0 }));
    expect([early.code, early.status]).toEqual(["JobNotPlanned", 409]);

    await world.activities.planJob({ jobName: job });
    await world.store.requestCancel(job, {
      requested_at: "2026-01-01T00:00:00.000Z",
      requested_by: "the admin key",
    });
    expect(await world.activities.scoreMiniBatch({ jobName: job, index: 0 })).toEqual({
      index: 0,
      succeededItems: 0,
      failedItems: 0,
      rows: 0,
      canceled: true,
    });
  });

  it("does not score a resumed job above this host's bounds, and says why", async () => {
    const planner = await host({ maxConcurrency: 8 });
    const job = await planner.submit(jobSpec("score-wide", { max_concurrency_per_instance: 4 }));
    await planner.activities.planJob({ jobName: job });
    // a smaller host resumes the job: same store, records and log
    const smaller = createJobActivities({
      ...planner,
      limits: settingLimits({ maxConcurrencyPerInstance: 2, source: "the smaller host" }),
    });
    const outcome = await smaller.scoreMiniBatch({ jobName: job, index: 1 });
    expect(outcome).toMatchObject({ index: 1, succeededItems: 0, failedItems: 0, rows: 0, canceled: false });
    expect(outcome.abort).toContain("max_concurrency_per_instance");
    expect(planner.log(job).at(-1)).toMatchObject({ level: "error", message: outcome.abort });
  });
});

describe("finalizeJob on an in-memory job store", () => {
  it("records a job that was never planned as ended with its reason, this host's paths replaced", async () => {
    const world = await host();
    const job = await world.submit(jobSpec("final-unplanned"));
    const finalized = await world.activities.finalizeJob({
      jobName: job,
      status: "Failed",
      message: `Input not found under ${join(world.workDir, "inputs")}`,
    });
    expect(finalized).toEqual({
      status: "Failed",
      message: "Input not found under <work>/inputs",
      outputs: [],
    });
    expect(await world.records.get(job)).toMatchObject({
      status: "Failed",
      message: "Input not found under <work>/inputs",
      outputs: [],
      finished_at: NOW.toISOString(),
    });
    expect(world.log(job)).toMatchObject([
      { level: "error", message: "Job Failed: Input not found under <work>/inputs" },
    ]);
  });
});
