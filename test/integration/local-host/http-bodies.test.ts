import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DurableExtension } from "../../../src/local-host/durable-extension.js";
import type { LocalHost } from "../../../src/local-host/local-host.js";
import { hostLogs, postChunked, startFixtureHost } from "./local-host-fixture.js";

const LIMIT = 1024;
const clientBindings: string[] = [];
const durable: DurableExtension = {
  onFunctions: () => undefined,
  bindingValue: (fn, binding) => {
    clientBindings.push(`${fn.name}.${binding.type}`);
    return JSON.stringify({
      taskHubName: "FixtureHub",
      creationUrls: {
        createNewInstancePostUri: "http://127.0.0.1:1/x",
        createAndWaitOnNewInstancePostUri: "http://127.0.0.1:1/y",
      },
      managementUrls: { id: "INSTANCEID", statusQueryGetUri: "http://127.0.0.1:1/z" },
      baseUrl: "http://127.0.0.1:1/runtime/webhooks/durabletask",
      requiredQueryStringParameters: "",
      rpcBaseUrl: "http://127.0.0.1:1/durabletask/",
    });
  },
};

let host: LocalHost;

beforeAll(async () => {
  host = await startFixtureHost({ maxRequestBodyBytes: LIMIT, durable });
});

afterAll(async () => {
  await host?.stop();
});

describe("HTTP bodies and headers through the real HttpRequest/HttpResponse", () => {
  it("round-trips JSON bodies, headers and cookies", async () => {
    const response = await fetch(`${host.url}/api/echo/json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-custom": "hello" },
      body: JSON.stringify({ name: "taxi", values: [1, 2.5, null], nested: { ok: true } }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-echo-custom")).toBe("hello");
    expect(response.headers.getSetCookie()).toEqual(["session=abc123; Path=/; HttpOnly; SameSite=Strict"]);
    expect(await response.json()).toEqual({
      received: { name: "taxi", values: [1, 2.5, null], nested: { ok: true } },
      kind: "json",
    });
  });

  it("round-trips text bodies with the request method, URL and headers", async () => {
    const response = await fetch(`${host.url}/api/echo/text?x=1&x=2`, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=utf-8", "x-custom": "ümlaut-free" },
      body: "héllo wörld",
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("HÉLLO WÖRLD");
    expect(response.headers.get("x-echo-method")).toBe("POST");
    expect(response.headers.get("x-echo-custom")).toBe("ümlaut-free");
    expect(response.headers.get("x-echo-url")).toBe(`${host.url}/api/echo/text?x=1&x=2`);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  });

  it("round-trips binary bodies byte for byte", async () => {
    const bytes = Buffer.from(Array.from({ length: LIMIT }, (_, i) => (i * 37) % 256));
    const response = await fetch(`${host.url}/api/echo/binary`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-echo-length")).toBe(String(LIMIT));
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("answers 413 to bodies over the limit, announced or chunked, and serves the next request", async () => {
    const over = Buffer.alloc(LIMIT + 1, 1);
    const announced = await fetch(`${host.url}/api/echo/binary`, { method: "POST", body: over });
    expect(announced.status).toBe(413);
    expect(await postChunked(`${host.url}/api/echo/binary`, [Buffer.alloc(600), Buffer.alloc(600)])).toBe(
      413,
    );
    expect(await postChunked(`${host.url}/api/echo/binary`, [Buffer.alloc(500), Buffer.alloc(500)])).toBe(
      200,
    );
    expect((await fetch(`${host.url}/api/ping`)).status).toBe(200);
  });

  it("answers 500 with no body when the function throws, and logs the error", async () => {
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("");
    expect(hostLogs).toContainEqual(
      expect.objectContaining({
        level: "error",
        category: "user",
        message: "about to fail",
        functionName: "boom",
      }),
    );
    expect(
      hostLogs.some(
        (r) => r.functionName === "boom" && r.category === "system" && r.message.includes("boom"),
      ),
    ).toBe(true);
  });

  it("answers 204 when the function returns nothing", async () => {
    const response = await fetch(`${host.url}/api/noContent`);
    expect(response.status).toBe(204);
  });

  it("buffers a stream body whole without HTTP streaming, as Azure does", async () => {
    const response = await fetch(`${host.url}/api/chunks/3`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String("chunk-0;".length * 3));
    expect(await response.text()).toBe("chunk-0;chunk-1;chunk-2;");
  });

  it("passes the durable client binding value from the extension to df.getClient", async () => {
    const response = await fetch(`${host.url}/api/client-info`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ taskHubName: "FixtureHub" });
    expect(clientBindings).toEqual(["clientInfo.durableClient"]);
  });
});
