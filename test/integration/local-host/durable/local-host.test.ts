import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDurable } from "../../../../src/local-host/durable/local-durable-extension.js";
import { createLocalHost, type LocalHost } from "../../../../src/local-host/local-host.js";
import { testClients, testConfig, uniqueName } from "../../../support/storage.js";
import { eventually } from "./durable-fixture.js";

const appDir = fileURLToPath(new URL("./app", import.meta.url));

describe("the local durable extension inside the local host", () => {
  let host: LocalHost;
  beforeAll(async () => {
    const config = testConfig();
    const durable = createLocalDurable({
      clients: testClients(config),
      settings: {
        hubName: uniqueName("apphub"),
        maxConcurrentActivityFunctions: 2,
        maxConcurrentOrchestratorFunctions: 2,
      },
      pollIntervalMs: 50,
      log: () => {},
    });
    host = createLocalHost({ appDir, port: 0, storage: config, durable, log: () => {} });
    await host.start();
  });
  afterAll(() => host.stop());

  it("starts an orchestration from an HTTP trigger and answers its check-status URL", async () => {
    const started = await fetch(`${host.url}/api/start/describeAll`, {
      method: "POST",
      body: JSON.stringify(["123", 123, { a: [1] }, "text"]),
    });
    expect(started.status).toBe(202);
    const payload = (await started.json()) as { id: string; statusQueryGetUri: string };
    expect(
      payload.statusQueryGetUri.startsWith(
        `${host.url}/runtime/webhooks/durabletask/instances/${payload.id}?`,
      ),
    ).toBe(true);
    const done = await eventually(
      async () => {
        const response = await fetch(payload.statusQueryGetUri);
        return {
          status: response.status,
          body: (await response.json()) as { runtimeStatus: string; output: unknown },
        };
      },
      (answer) => answer.status === 200,
    );
    expect(done.body.runtimeStatus).toBe("Completed");
    expect(done.body.output).toEqual([
      { type: "string", value: "123" },
      { type: "number", value: 123 },
      { type: "object", value: { a: [1] } },
      { type: "string", value: "text" },
    ]);
  });
});
