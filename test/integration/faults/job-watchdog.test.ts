import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { createJobRecords, type JobRecord } from "../../../src/jobs/records/job-records.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { type AppProcess, appSettings, startAppProcess } from "../../support/app-process.js";

let app: AppProcess | undefined;

afterAll(async () => {
  await app?.stop();
});

function record(name: string, status: JobRecord["status"], createdAgoMs: number): JobRecord {
  return {
    name,
    endpoint_name: "gone",
    deployment_name: "gone",
    status,
    created_at: new Date(Date.now() - createdAgoMs).toISOString(),
    input: "azureml://datastores/workspaceblobstore/paths/x/",
    output_path: `azureml://datastores/workspaceblobstore/paths/batchfn-outputs/${name}/`,
    output_file_name: "predictions.csv",
    chunk_size: 100,
  };
}

describe("the job watchdog", () => {
  it("settles, at start-up, jobs whose orchestration no longer exists; leaves a job just created alone", async () => {
    const settings = await appSettings();
    const config = loadConfig(settings);
    const records = createJobRecords({ clients: createStorageClients(config.storage), config });
    await records.create(record("lost-running", "Running", 120_000));
    await records.create(record("lost-preparing", "Preparing", 120_000));
    await records.create(record("lost-cancel", "CancelRequested", 120_000));
    await records.create(record("just-created", "NotStarted", 0));

    app = await startAppProcess(settings);
    const deadline = Date.now() + 30_000;
    const statuses = async () =>
      Object.fromEntries(
        await Promise.all(
          ["lost-running", "lost-preparing", "lost-cancel", "just-created"].map(async (name) => [
            name,
            await records.get(name),
          ]),
        ),
      ) as Record<string, JobRecord>;
    let seen = await statuses();
    const lost = ["lost-running", "lost-preparing", "lost-cancel"];
    const ended = (r: JobRecord | undefined) => ["Failed", "Canceled"].includes(r?.status ?? "");
    while (!lost.every((name) => ended(seen[name])) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen = await statuses();
    }
    expect(seen["lost-running"]).toMatchObject({ status: "Failed" });
    expect(seen["lost-running"]?.message).toMatch(/orchestration no longer exists/);
    expect(seen["lost-running"]?.finished_at).toBeDefined();
    expect(seen["lost-preparing"]).toMatchObject({ status: "Failed" });
    expect(seen["lost-cancel"]).toMatchObject({ status: "Canceled" });
    expect(seen["lost-cancel"]?.message).toMatch(
      /^Canceled on request; the job's orchestration no longer exists/,
    );
    expect(seen["just-created"]).toMatchObject({ status: "NotStarted" });
  }, 90_000);
});
