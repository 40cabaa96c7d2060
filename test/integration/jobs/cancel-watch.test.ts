import type { ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelWatch } from "../../../src/jobs/activities/cancel-watch.js";
import { blobJobStore, type JobStore } from "../../../src/jobs/store/job-store.js";
import { testClients, uniqueName } from "../../support/storage.js";

let container: ContainerClient;
let store: JobStore;

beforeAll(async () => {
  container = testClients().blob.getContainerClient(uniqueName("cancel"));
  await container.create();
  store = blobJobStore(container);
});

afterAll(async () => {
  await container?.delete();
});

describe("cancel requests of an earlier batchfn", () => {
  it("reads an empty request as made by an unknown caller", async () => {
    const job = uniqueName("job");
    await container.getBlockBlobClient(`${job}/cancel-requested`).upload("", 0);
    expect(await store.readCancelRequest(job)).toEqual({
      requested_at: "an unknown time",
      requested_by: "an unknown caller",
    });
    expect(await store.isCancelRequested(job)).toBe(true);
  });
});

describe("the cancel watch of an instance", () => {
  it("aborts the signal of every running use within the poll interval of the request", async () => {
    const job = uniqueName("job");
    const watch = cancelWatch(store, 100);
    expect(await watch.isRequested(job)).toBe(false);
    const seen: number[] = [];
    let requestedAt = 0;
    const use = () =>
      watch.whileWatched(
        job,
        (signal) =>
          new Promise<void>((resolve) => {
            signal.addEventListener("abort", () => {
              seen.push(Date.now() - requestedAt);
              resolve();
            });
          }),
      );
    const both = Promise.all([use(), use()]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    requestedAt = Date.now();
    await store.requestCancel(job, { requested_at: new Date().toISOString(), requested_by: "the admin key" });
    await both;
    expect(seen).toHaveLength(2);
    for (const ms of seen) expect(ms).toBeLessThan(600);
    expect(await watch.isRequested(job)).toBe(true);
    // a later use starts canceled
    expect(await watch.whileWatched(job, async (signal) => signal.aborted)).toBe(true);
  });

  it("stops this instance's uses at once when its API took the cancel", async () => {
    const job = uniqueName("job");
    const watch = cancelWatch(store, 600_000);
    const stopped = watch.whileWatched(
      job,
      (signal) => new Promise<boolean>((resolve) => signal.addEventListener("abort", () => resolve(true))),
    );
    watch.seen(job);
    expect(await stopped).toBe(true);
    expect(await watch.isRequested(job)).toBe(true);
  });

  it("reads storage at most once per interval for a job, however many ask", async () => {
    const job = uniqueName("job");
    let reads = 0;
    const counting = {
      isCancelRequested: (name: string) => {
        reads += 1;
        return store.isCancelRequested(name);
      },
    };
    const watch = cancelWatch(counting, 60_000);
    await Promise.all(Array.from({ length: 10 }, () => watch.isRequested(job)));
    expect(reads).toBe(1);
    expect(await watch.isRequested(job)).toBe(false);
    expect(reads).toBe(1);
    expect(await watch.isRequestedNow(job)).toBe(false);
    expect(reads).toBe(2);
  });
});
