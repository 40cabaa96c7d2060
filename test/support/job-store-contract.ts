import { describe, expect, it } from "vitest";
import { outputTarget } from "../../src/io/output/output-target.js";
import type { PlanManifest, PlanPage } from "../../src/jobs/plan/plan-schema.js";
import { readMiniBatch } from "../../src/jobs/plan/read-plan.js";
import { type JobStore, jobBlobs } from "../../src/jobs/store/job-store.js";
import { jobSpec } from "./job-fixtures.js";
import { refusal } from "./refusal.js";
import { uniqueName } from "./storage.js";

export interface StoreUnderTest {
  store: JobStore;
  /** Writes a document's text as is (a store damaged from outside). */
  put(name: string, text: string): Promise<void>;
}

function plan(job: string, planId: string): { manifest: PlanManifest; pages: PlanPage[] } {
  const item = (name: string) => ({ name, size: 1 });
  const pages: PlanPage[] = [
    { planId, page: 0, miniBatches: [{ index: 0, items: [item("a"), item("b")] }] },
    { planId, page: 1, miniBatches: [{ index: 1, items: [item("c")] }] },
  ];
  const manifest: PlanManifest = {
    version: 1,
    job,
    planId,
    input: {
      display: "azureml://datastores/ws/paths/in/",
      type: "uri_folder",
      root: { kind: "blob", store: { kind: "app" }, container: "data", prefix: "in/" },
    },
    settings: { miniBatchSize: 2 },
    counts: { miniBatches: 2, files: 3, items: 3 },
    pageStarts: [0, 1],
  };
  return { manifest, pages };
}

/** What every {@link JobStore} does alike: the Blob one (integration) and the in-memory one (unit). */
export function describeJobStore(kind: string, open: () => Promise<StoreUnderTest>): void {
  describe(`the ${kind} job store`, () => {
    it("writes a job's spec once and refuses a second job of the same name", async () => {
      const { store } = await open();
      const spec = jobSpec(uniqueName("job"));
      await store.saveSpec(spec);
      expect(await store.loadSpec(spec.name)).toEqual(spec);
      expect((await refusal(store.saveSpec({ ...spec, deployment_name: "green" }))).code).toBe(
        "AlreadyExists",
      );
      expect((await store.loadSpec(spec.name)).deployment_name).toBe("blue");
      expect((await refusal(store.loadSpec(uniqueName("job")))).code).toBe("NotFound");
    });

    it("keeps the prepared job and the cancel request of each job apart", async () => {
      const { store } = await open();
      const [one, two] = [uniqueName("job"), uniqueName("job")];
      expect(await store.loadPrepared(one)).toBeUndefined();
      const location = jobSpec(one).output.location;
      if (!location) throw new Error("the fixture claims an output folder");
      const prepared = {
        plan: { job: one, planId: "p1", miniBatches: 2, files: 3, items: 3 },
        target: outputTarget({
          job: one,
          location,
          action: "append_row",
          fileName: "p.csv",
          format: "csv",
          miniBatches: 2,
        }),
        input: "azureml://datastores/ws/paths/in/",
        planned_at: "2026-01-01T00:00:00.000Z",
      };
      await store.savePrepared(one, prepared);
      expect(await store.loadPrepared(one)).toEqual(prepared);
      expect(await store.loadPrepared(two)).toBeUndefined();
      expect(await store.isCancelRequested(one)).toBe(false);
      expect(await store.readCancelRequest(one)).toBeUndefined();
      const asked = { requested_at: "2026-01-01T00:00:00.000Z", requested_by: "the admin key" };
      expect(await store.requestCancel(one, asked)).toEqual({ request: asked, first: true });
      const later = { requested_at: "2026-01-01T00:00:05.000Z", requested_by: "a key of endpoint 'e'" };
      // the first request is kept: when and by whom
      expect(await store.requestCancel(one, later)).toEqual({ request: asked, first: false });
      expect(await store.readCancelRequest(one)).toEqual(asked);
      expect(await store.isCancelRequested(one)).toBe(true);
      expect(await store.isCancelRequested(two)).toBe(false);
    });

    it("reads back a paged plan, one mini-batch at a time, and refuses a replaced plan", async () => {
      const { store } = await open();
      const job = uniqueName("job");
      const first = plan(job, "p1");
      await store.savePlan(first.manifest, first.pages);
      const ref = { job, planId: "p1", ...first.manifest.counts };
      expect((await readMiniBatch(store, ref, 1)).miniBatch.items.map((i) => i.name)).toEqual(["c"]);
      expect((await refusal(readMiniBatch(store, ref, 2))).code).toBe("InvalidReference");
      const second = plan(job, "p2");
      await store.savePlan(second.manifest, second.pages);
      const replaced = await refusal(readMiniBatch(store, { ...ref, planId: "p3" }, 0));
      expect(replaced.code).toBe("CorruptRecord");
    });

    it("answers CorruptRecord, naming the document, for a spec or a plan that does not parse or is gone", async () => {
      const { store, put } = await open();
      const job = uniqueName("job");
      await put(jobBlobs.spec(job), JSON.stringify({ name: job }));
      const spec = await refusal(store.loadSpec(job));
      expect(spec.code).toBe("CorruptRecord");
      expect(spec.message).toContain(`${job}/spec.json`);
      const missing = await refusal(store.loadPlanManifest(job));
      expect(missing.code).toBe("CorruptRecord");
      expect(missing.message).toContain(`${job}/plan.json`);
      await put(`${job}/plan.json`, "{not json");
      expect((await refusal(store.loadPlanManifest(job))).message).toContain("not valid JSON");
    });
  });
}
