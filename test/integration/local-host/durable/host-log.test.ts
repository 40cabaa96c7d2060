import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../../src/config.js";
import { taskHubNames } from "../../../../src/local-host/durable/task-hub.js";
import { createStorageClients } from "../../../../src/storage/clients.js";
import { type AppProcess, startAppProcess } from "../../../support/app-process.js";
import { eventually } from "./durable-fixture.js";

let app: AppProcess;

beforeAll(async () => {
  app = await startAppProcess(undefined, [], { quiet: false });
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

describe("the local host's log", () => {
  it("prints the Durable extension's lines with their level and message", async () => {
    const clients = createStorageClients(loadConfig(app.env).storage);
    const hub = taskHubNames(app.env.BATCHFN_TASK_HUB ?? "");
    await clients.queue.getQueueClient(hub.controlQueue).sendMessage("this is not a durable message");
    const line = await eventually(
      async () =>
        app
          .output()
          .split("\n")
          .find((l) => l.includes("durable") && l.includes("error")),
      (found) => found !== undefined,
    );
    expect(line).toMatch(/^\[durable error\] Dropped unreadable durable message \S+: /);
  });
});
