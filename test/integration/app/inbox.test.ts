import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call } from "../../support/app-client.js";
import { appSettings, startAppProcess } from "../../support/app-process.js";
import { examplePath } from "../examples/example-files.js";

const CSV =
  "fareAmount,paymentType,passengerCount,tripDistance,tripTimeSecs\n12.5,1,1,2.4,720\n8.0,2,2,1.1,300\n";

async function completedInboxJobs(url: string): Promise<string[]> {
  const { body } = await call<{ value: Array<{ name: string; status: string }> }>(
    `${url}/api/jobs?endpoint=taxi-tip&top=1000`,
  );
  return body.value.filter((job) => job.status === "Completed").map((job) => job.name);
}

/** The predictions files of the inbox jobs of one dropped file: `taxi-tip/<file>/<job>/predictions.csv`. */
async function predictionFiles(outbox: ContainerClient, file: string): Promise<string[]> {
  const found: string[] = [];
  for await (const blob of outbox.listBlobsFlat({ prefix: `taxi-tip/${file}/` })) {
    if (/^taxi-tip\/[^/]+\/inbox-taxi-tip-[0-9a-f]+\/predictions\.csv$/.test(blob.name))
      found.push(blob.name);
  }
  return found;
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("the inbox: a blob dropped under <endpoint>/<path> starts a job", () => {
  it("turns 20 uploads into 20 jobs and 20 outputs, and a restart fires none of them again", async () => {
    const settings = await appSettings();
    const config = loadConfig(settings);
    const clients = createStorageClients(config.storage);
    const registry = createRegistry({ clients, config });
    const workDir = await mkdtemp(join(tmpdir(), "batchfn-inbox-"));
    await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), { registry, workDir });
    await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), { registry, workDir });
    const inbox = clients.blob.getContainerClient(config.containers.inbox);
    await inbox.createIfNotExists();
    const outbox = clients.blob.getContainerClient(config.containers.outbox);

    let app = await startAppProcess(settings);
    try {
      const names = Array.from({ length: 20 }, (_, i) => `day-${String(i).padStart(2, "0")}.csv`);
      await Promise.all(
        names.map((name) => inbox.getBlockBlobClient(`taxi-tip/${name}`).upload(CSV, CSV.length)),
      );
      const jobs = await until(
        () => completedInboxJobs(app.url),
        (done) => done.length >= 20,
      );
      expect(jobs).toHaveLength(20);
      for (const name of names) {
        const [file] = await predictionFiles(outbox, name);
        const rows = (await outbox.getBlobClient(file ?? "").downloadToBuffer()).toString();
        expect(
          rows
            .trimEnd()
            .split("\n")
            .map((row) => row.split(" ")[2]),
        ).toEqual([name, name]);
      }

      await app.stop();
      app = await startAppProcess(settings);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      expect(await completedInboxJobs(app.url)).toHaveLength(20);
      const { body } = await call<{ value: unknown[] }>(`${app.url}/api/jobs?endpoint=taxi-tip&top=1000`);
      expect(body.value).toHaveLength(20);

      // Dropping the same file again starts a job with an output of its own; the first is kept.
      const changed = `${CSV}20.0,1,3,5.5,1500\n`;
      await inbox.getBlockBlobClient(`taxi-tip/${names[0]}`).upload(changed, changed.length);
      await until(
        () => completedInboxJobs(app.url),
        (done) => done.length >= 21,
      );
      const files = await predictionFiles(outbox, names[0] ?? "");
      expect(files).toHaveLength(2);
      const lines = await Promise.all(
        files.map(
          async (file) =>
            (await outbox.getBlobClient(file).downloadToBuffer()).toString().trimEnd().split("\n").length,
        ),
      );
      expect(lines.sort()).toEqual([2, 3]);
    } finally {
      await app.stop();
    }
  }, 300_000);
});
