import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, inject, it } from "vitest";
import { testClients, uniqueName } from "../../../support/storage.js";
import { crashBackend } from "./crash-app.js";
import { eventually } from "./durable-fixture.js";

const ITEMS = 10;
const child = fileURLToPath(new URL("./crash-child.ts", import.meta.url));

describe("a host killed with SIGKILL", () => {
  let running: ChildProcess | undefined;
  afterEach(() => {
    running?.kill("SIGKILL");
  });

  it("is taken over at once by a new host, which finishes the orchestration exactly once", async () => {
    const clients = testClients();
    const hub = uniqueName("crash");
    const table = uniqueName("crashcalls");
    await clients.tables.createTable(table);
    const calls = clients.table(table);
    const recorded = async () => {
      const indexes: number[] = [];
      for await (const entity of calls.listEntities()) indexes.push(Number(entity.partitionKey));
      return indexes;
    };

    running = spawn(process.execPath, ["--import", "tsx", child, hub, table, String(ITEMS)], {
      env: { ...process.env, AzureWebJobsStorage: inject("azuriteConnectionString") },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => running?.on("exit", resolve));
    await eventually(recorded, (indexes) => indexes.length >= 4, 30_000);
    running.kill("SIGKILL");
    await exited;

    const backend = crashBackend(clients, hub, 3_000);
    await backend.start();
    try {
      const status = await eventually(
        () => backend.client.status("crash"),
        (s) => s?.runtimeStatus === "Completed" || s?.runtimeStatus === "Failed",
        30_000,
      );
      const first = Array.from({ length: ITEMS }, (_, index) => index + 1);
      expect(status?.output).toEqual({ first, total: first.reduce((a, b) => a + b, 0) });
      expect(new Set(await recorded())).toEqual(new Set(Array.from({ length: ITEMS }, (_, index) => index)));
    } finally {
      await backend.stop();
    }
  }, 60_000);
});
