import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { call, waitForJob } from "../../support/app-client.js";
import { type AppProcess, startAppProcess } from "../../support/app-process.js";
import { deployTaxi, TRIP_INPUT } from "../auth/deployment-fixture.js";

/**
 * One endpoint's keys against another endpoint's jobs, and an endpoint deleted and created again
 * under the same name: nothing of the other (or the earlier) endpoint is shown, touched or reused.
 */

const keysSchema = z.object({ primaryKey: z.string().min(40), secondaryKey: z.string().min(40) });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const jobSchema = z.object({ name: z.string(), status: z.string() });
const listSchema = z.object({ value: z.array(jobSchema) });

let app: AppProcess;
let keyA: string;
let keyB: string;
let jobB: string;

const url = (path: string) => `${app.url}/api/${path}`;
const asKey = (
  key: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) => call(url(path), { ...init, headers: { "x-functions-key": key, ...init.headers }, admin: false });
const asAdmin = (path: string, init: { method?: string; body?: unknown } = {}) => call(url(path), init);

async function createKeyedEndpoint(name: string): Promise<string> {
  const created = await asAdmin(`batch-endpoints/${name}`, { method: "PUT", body: { auth_mode: "key" } });
  expect(created.status).toBe(201);
  const keys = keysSchema.parse(created.body.keys);
  await deployTaxi(app.env, [name]);
  return keys.primaryKey;
}

async function invokeAndFinish(key: string, endpoint: string, body: unknown, headers = {}): Promise<string> {
  const invoked = await asKey(key, `batch-endpoints/${endpoint}/jobs`, { body, headers });
  expect(invoked.status).toBe(202);
  const name = jobSchema.parse(invoked.body).name;
  expect((await waitForJob(url(`jobs/${name}`))).status).toBe("Completed");
  return name;
}

beforeAll(async () => {
  app = await startAppProcess();
  keyA = await createKeyedEndpoint("iso-a");
  keyB = await createKeyedEndpoint("iso-b");
  jobB = await invokeAndFinish(keyB, "iso-b", { input: TRIP_INPUT });
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

describe("an endpoint's keys against another endpoint's jobs", () => {
  it("cannot show, list, read the logs or outputs of, cancel or re-run them", async () => {
    const jobsOfB = async () => listSchema.parse((await asAdmin("jobs?endpoint=iso-b")).body).value.length;
    const before = await jobsOfB();
    for (const [path, method, body] of [
      [`jobs/${jobB}`, "GET"],
      [`jobs/${jobB}/logs`, "GET"],
      [`jobs/${jobB}/outputs`, "GET"],
      [`jobs/${jobB}/outputs/predictions.csv`, "GET"],
      [`jobs/${jobB}/cancel`, "POST"],
      [`jobs/${jobB}/rerun`, "POST", {}],
      [`jobs/${jobB}/rerun`, "POST", { failed_only: true }],
      ["jobs?endpoint=iso-b", "GET"],
    ] as const) {
      const answer = await asKey(keyA, path, { method, body });
      expect(answer.status, path).toBe(401);
      expect(errorSchema.parse(answer.body).error.code).toBe("Unauthenticated");
    }
    expect(await jobsOfB()).toBe(before);
    const own = listSchema.parse((await asKey(keyA, "jobs?endpoint=iso-a")).body);
    expect(own.value.map((job) => job.name)).not.toContain(jobB);
    expect((await asKey(keyB, `jobs/${jobB}`)).status).toBe(200);
  });

  it("answers 409 to a job_name of another endpoint's job, revealing nothing of it, and starts nothing", async () => {
    const answer = await asKey(keyA, "batch-endpoints/iso-a/jobs", {
      body: { input: TRIP_INPUT, job_name: jobB },
    });
    expect(answer.status).toBe(409);
    expect(errorSchema.parse(answer.body).error.code).toBe("JobNameTaken");
    // The answer may repeat the name the caller sent, and nothing else of the job.
    const text = JSON.stringify(answer.body).replaceAll(jobB, "<name>");
    expect(text).not.toContain("iso-b");
    expect(text).not.toContain("batchfn-outputs");
    expect(text).not.toContain("trip.csv");
    const own = listSchema.parse((await asKey(keyA, "jobs?endpoint=iso-a")).body);
    expect(own.value.map((job) => job.name)).not.toContain(jobB);
    const shown = await asAdmin(`jobs/${jobB}`);
    expect(shown.body).toMatchObject({ name: jobB, endpoint: "iso-b" });
  });

  it("keeps idempotency keys to their endpoint: the same key on two endpoints starts two jobs", async () => {
    const headers = { "idempotency-key": "shared-key-1" };
    const onB = await asKey(keyB, "batch-endpoints/iso-b/jobs", { body: { input: TRIP_INPUT }, headers });
    const onA = await asKey(keyA, "batch-endpoints/iso-a/jobs", { body: { input: TRIP_INPUT }, headers });
    expect([onB.status, onA.status]).toEqual([202, 202]);
    expect(jobSchema.parse(onA.body).name).not.toBe(jobSchema.parse(onB.body).name);
    const again = await asKey(keyA, "batch-endpoints/iso-a/jobs", { body: { input: TRIP_INPUT }, headers });
    expect(again.status).toBe(200);
    expect(jobSchema.parse(again.body).name).toBe(jobSchema.parse(onA.body).name);
  });
});

describe("an endpoint deleted and created again under the same name", () => {
  it("does not inherit its predecessor's jobs, outputs, job names or idempotency keys", async () => {
    const firstKey = await createKeyedEndpoint("iso-reborn");
    const headers = { "idempotency-key": "nightly" };
    const old = await invokeAndFinish(firstKey, "iso-reborn", { input: TRIP_INPUT }, headers);
    expect((await asAdmin("batch-endpoints/iso-reborn", { method: "DELETE" })).status).toBe(204);
    const newKey = await createKeyedEndpoint("iso-reborn");

    for (const path of [
      `jobs/${old}`,
      `jobs/${old}/logs`,
      `jobs/${old}/outputs`,
      `jobs/${old}/outputs/predictions.csv`,
    ]) {
      const answer = await asKey(newKey, path);
      expect(answer.status, path).toBe(401);
      expect(errorSchema.parse(answer.body).error.code).toBe("Unauthenticated");
    }
    expect((await asKey(newKey, `jobs/${old}/cancel`, { method: "POST" })).status).toBe(401);
    expect((await asKey(newKey, `jobs/${old}/rerun`, { method: "POST", body: {} })).status).toBe(401);
    const listed = listSchema.parse((await asKey(newKey, "jobs?endpoint=iso-reborn")).body);
    expect(listed.value.map((job) => job.name)).not.toContain(old);

    const byName = await asKey(newKey, "batch-endpoints/iso-reborn/jobs", {
      body: { input: TRIP_INPUT, job_name: old },
    });
    expect(byName.status).toBe(409);
    expect(errorSchema.parse(byName.body).error.code).toBe("JobNameTaken");

    const byKey = await asKey(newKey, "batch-endpoints/iso-reborn/jobs", {
      body: { input: TRIP_INPUT },
      headers,
    });
    expect(byKey.status).toBe(202);
    expect(jobSchema.parse(byKey.body).name).not.toBe(old);

    const adminView = await asAdmin(`jobs/${old}`);
    expect(adminView.status).toBe(200);
  }, 120_000);
});
