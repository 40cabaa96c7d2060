import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testClients, testConfig, uniqueName } from "../../support/storage.js";
import { fixtureApps, MASTER_KEY } from "./local-host-fixture.js";

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
});

/** Starts `host-process.ts` under plain Node (tsx loader, no vitest interop) and waits for its URL. */
async function startHostProcess(
  appDir: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL("./host-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, appDir], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line).url);
    });
    child.once("exit", (code) => reject(new Error(`host process exited with ${code}: ${output}`)));
  });
  return { url, child };
}

function hostEnv(inbox: string): Record<string, string> {
  const config = testConfig();
  if (config.storage.kind !== "connectionString") throw new Error("tests use a connection string");
  return {
    AzureWebJobsStorage: config.storage.connectionString,
    BATCHFN_TABLE_PREFIX: config.tablePrefix,
    LOCAL_HOST_FIXTURE_INBOX: inbox,
    TEST_MASTER_KEY: MASTER_KEY,
  };
}

describe("the local host in its own Node process", () => {
  it("serves the app, enforces keys, fires blob triggers and stops on SIGTERM", async () => {
    const inbox = uniqueName("inbox");
    const env = hostEnv(inbox);
    const container = testClients().blob.getContainerClient(inbox);
    await container.create();
    const { url, child } = await startHostProcess(fixtureApps.main, env);
    expect(await (await fetch(`${url}/api/ping`)).text()).toBe("pong");
    expect((await fetch(`${url}/api/secure/admin`)).status).toBe(401);
    expect((await fetch(`${url}/api/secure/admin?code=${MASTER_KEY}`)).status).toBe(200);
    const echoed = await fetch(`${url}/api/echo/json`, { method: "POST", body: JSON.stringify({ n: 1 }) });
    expect(await echoed.json()).toEqual({ received: { n: 1 }, kind: "json" });

    await container.getBlockBlobClient("incoming/x.txt").upload("x", 1);
    const receipts = testClients().table(`${env.BATCHFN_TABLE_PREFIX}BlobReceipts`);
    await vi.waitFor(
      async () => {
        const rows = [];
        for await (const row of receipts.listEntities()) rows.push(row);
        expect(rows).toMatchObject([
          { partitionKey: "inboxBlob", blobName: "incoming/x.txt", status: "done" },
        ]);
      },
      { timeout: 20_000, interval: 100 },
    );

    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("streams a response chunk by chunk with HTTP streaming enabled", async () => {
    const { url } = await startHostProcess(fixtureApps.streaming, hostEnv(uniqueName("inbox")));
    const response = await fetch(`${url}/api/follow/p1`);
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe("open p1;");
    await fetch(`${url}/api/follow/p1/next`, { method: "POST", body: "more;" });
    expect(decoder.decode((await reader.read()).value)).toBe("more;");
    await fetch(`${url}/api/follow/p1/end`, { method: "POST" });
    expect((await reader.read()).done).toBe(true);
  });
});
