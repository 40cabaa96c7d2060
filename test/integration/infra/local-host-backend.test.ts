import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { loadConfig } from "../../../src/config.js";
import { createRegistry } from "../../../src/registry/registry.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { call } from "../../support/app-client.js";
import { appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";
import { examplePath } from "../examples/example-files.js";
import { appSettingsOf } from "./app-checks.js";
import { evaluateDeployment, readParametersFile } from "./bicep-deployment.js";
import { PROVIDER_CONNECTION, PROVIDER_TYPE } from "./durable-backend-checks.js";

const CSV = "fareAmount,paymentType,passengerCount,tripDistance,tripTimeSecs\n12.5,1,1,2.4,720\n";

/** The Durable settings main.bicep gives the app with the scheduler backend (host.json overrides). */
function schedulerSettings(): Record<string, string> {
  const infra = join(repoRoot, "infra");
  const deployment = evaluateDeployment(join(infra, "main.bicep"), {
    ...readParametersFile(join(infra, "main.parameters.json")),
    durableBackend: "durableTaskScheduler",
  });
  const app = deployment.resources.find((r) => r.type === "Microsoft.Web/sites");
  if (!app) throw new Error("no Function App in main.bicep");
  const settings = appSettingsOf(app, deployment.resources);
  const type = settings[PROVIDER_TYPE];
  const connection = settings[PROVIDER_CONNECTION];
  if (typeof type !== "string" || typeof connection !== "string") {
    throw new Error("main.bicep sets no storageProvider override with the scheduler backend");
  }
  return {
    [PROVIDER_TYPE]: type,
    [PROVIDER_CONNECTION]: connection,
    // The real value names the scheduler's endpoint, known only in Azure; this one is unreachable.
    [connection]:
      "Endpoint=https://batchfn-test.invalid;Authentication=ManagedIdentity;ClientID=00000000-0000-0000-0000-000000000000",
  };
}

describe("the local host under the scheduler backend's settings", () => {
  it("ignores the storageProvider override and runs a job on Azurite", async () => {
    const overrides = schedulerSettings();
    expect(overrides[PROVIDER_TYPE]).toBe("azureManaged");
    const settings = { ...(await appSettings()), ...overrides };
    const config = loadConfig(settings);
    const clients = createStorageClients(config.storage);
    const registry = createRegistry({ clients, config });
    const workDir = await mkdtemp(join(tmpdir(), "batchfn-backend-"));
    await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), { registry, workDir });
    await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), { registry, workDir });
    const inbox = clients.blob.getContainerClient(config.containers.inbox);
    await inbox.createIfNotExists();

    const app = await startAppProcess(settings);
    try {
      await inbox.getBlockBlobClient("taxi-tip/one.csv").upload(CSV, CSV.length);
      const deadline = Date.now() + 120_000;
      let statuses: string[] = [];
      let job = "";
      while (Date.now() < deadline && !statuses.includes("Completed")) {
        const { body } = await call<{ value: Array<{ name: string; status: string }> }>(
          `${app.url}/api/jobs?endpoint=taxi-tip&top=10`,
        );
        statuses = body.value.map((job) => job.status);
        job = body.value[0]?.name ?? "";
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(statuses).toEqual(["Completed"]);
      const outbox = clients.blob.getContainerClient(config.containers.outbox);
      const rows = (
        await outbox.getBlobClient(`taxi-tip/one.csv/${job}/predictions.csv`).downloadToBuffer()
      ).toString();
      expect(rows.trimEnd().split("\n")).toHaveLength(1);
    } finally {
      await app.stop();
    }
  }, 180_000);
});
