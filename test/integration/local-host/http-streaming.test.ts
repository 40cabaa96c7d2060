import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFunctionApp } from "../../../src/local-host/load-function-app.js";
import type { LocalHost } from "../../../src/local-host/local-host.js";
import { fixtureApps, postChunked, startFixtureHost } from "./local-host-fixture.js";

const LIMIT = 2048;
let host: LocalHost;

beforeAll(async () => {
  host = await startFixtureHost({ appDir: fixtureApps.streaming, maxRequestBodyBytes: LIMIT });
});

afterAll(async () => {
  await host?.stop();
});

async function control(id: string, action: "next" | "end", text = ""): Promise<number> {
  const response = await fetch(`${host.url}/api/follow/${id}/${action}`, { method: "POST", body: text });
  return response.status;
}

describe("HTTP streaming (app.setup({ enableHttpStream: true }))", () => {
  it("delivers each chunk of a streamed response while the handler's body is still open", async () => {
    const id = "job-1";
    const response = await fetch(`${host.url}/api/follow/${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("x-ms-invocation-id")).toBeNull();
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const decoder = new TextDecoder();
    const received: string[] = [];
    const readUntil = async (expected: string) => {
      let text = "";
      while (text !== expected) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before '${expected}' (got '${text}')`);
        text += decoder.decode(value);
      }
      received.push(text);
    };
    await readUntil(`open ${id};`);
    expect(await control(id, "next", "line 1;")).toBe(202);
    await readUntil("line 1;");
    expect(await control(id, "next", "line 2;")).toBe(202);
    await readUntil("line 2;");
    expect(await control(id, "end")).toBe(202);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(received).toEqual([`open ${id};`, "line 1;", "line 2;"]);
  });

  it("streams request bodies to the handler and keeps bodies, headers and cookies intact", async () => {
    const json = await fetch(`${host.url}/api/echo/json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-custom": "streamed" },
      body: JSON.stringify({ a: [1, 2, 3] }),
    });
    expect(json.status).toBe(201);
    expect(json.headers.get("x-echo-custom")).toBe("streamed");
    expect(json.headers.getSetCookie()).toEqual(["session=abc123; Path=/; HttpOnly; SameSite=Strict"]);
    expect(await json.json()).toEqual({ received: { a: [1, 2, 3] }, kind: "json" });

    const bytes = Buffer.from(Array.from({ length: LIMIT }, (_, i) => (i * 11) % 256));
    const binary = await fetch(`${host.url}/api/echo/binary?q=1`, { method: "POST", body: bytes });
    expect(binary.status).toBe(200);
    expect(binary.headers.get("x-echo-url")).toBe(`${host.url}/api/echo/binary?q=1`);
    expect(Buffer.from(await binary.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("keeps route parameters, 413, 500 and 204 as without streaming", async () => {
    const routed = await fetch(`${host.url}/api/batch-endpoints/taxi/deployments/blue`);
    expect(await routed.json()).toEqual({
      function: "getDeployment",
      params: { name: "taxi", deployment: "blue" },
      query: null,
    });
    const tooLarge = await fetch(`${host.url}/api/echo/binary`, {
      method: "POST",
      body: Buffer.alloc(LIMIT + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(await postChunked(`${host.url}/api/echo/binary`, [Buffer.alloc(LIMIT), Buffer.alloc(10)])).toBe(
      413,
    );
    expect(
      await postChunked(`${host.url}/api/echo/binary`, [Buffer.alloc(LIMIT / 2), Buffer.alloc(LIMIT / 2)]),
    ).toBe(200);
    expect((await fetch(`${host.url}/api/boom`)).status).toBe(500);
    expect((await fetch(`${host.url}/api/noContent`)).status).toBe(204);
    expect(await (await fetch(`${host.url}/api/chunks/2`)).text()).toBe("chunk-0;chunk-1;");
  });

  it("runs the library's stream proxy on loopback only", async () => {
    const { capabilities } = await loadFunctionApp({ appDir: fixtureApps.streaming });
    const proxy = new URL(capabilities.HttpUri ?? "");
    expect(proxy.hostname).toBe("127.0.0.1");
    const port = Number(proxy.port);
    expect(await connects("127.0.0.1", port)).toBe(true);
    const elsewhere = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && !a.address.startsWith("fe80"))
      .map((a) => a?.address ?? "");
    for (const address of [...elsewhere, "::1"]) {
      expect({ address, connects: await connects(address, port) }).toEqual({ address, connects: false });
    }
  });
});

/** Whether a TCP connection to address:port is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
