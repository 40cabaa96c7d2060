import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHost } from "../../../src/local-host/local-host.js";
import { FUNCTION_KEY, fixtureApps, MASTER_KEY, startFixtureHost } from "./local-host-fixture.js";

let host: LocalHost;
let prefixed: LocalHost;

beforeAll(async () => {
  host = await startFixtureHost();
  prefixed = await startFixtureHost({ appDir: fixtureApps.prefixed });
});

afterAll(async () => {
  await host?.stop();
  await prefixed?.stop();
});

async function getJson(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${host.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

describe("HTTP routes of the local host", () => {
  it("listens on the loopback interface only", () => {
    expect(new URL(host.url).hostname).toBe("127.0.0.1");
  });

  it("binds route parameters, optional parameters and query strings", async () => {
    expect(await getJson("/api/batch-endpoints/taxi/deployments/blue?view=full")).toEqual({
      status: 200,
      body: { function: "getDeployment", params: { name: "taxi", deployment: "blue" }, query: "full" },
    });
    expect(await getJson("/api/batch-endpoints/taxi/deployments")).toEqual({
      status: 200,
      body: { function: "getDeployment", params: { name: "taxi" }, query: null },
    });
  });

  it("percent-decodes parameters and matches literals case-insensitively", async () => {
    expect(await getJson("/API/Batch-Endpoints/my%20endpoint/deployments/b%2Fc")).toEqual({
      status: 200,
      body: { function: "getDeployment", params: { name: "my endpoint", deployment: "b/c" }, query: null },
    });
  });

  it("prefers literal segments over parameters and checks constraints", async () => {
    expect(await getJson("/api/jobs/latest")).toEqual({ status: 200, body: { function: "latestJob" } });
    expect(await getJson("/api/jobs/42")).toEqual({ status: 200, body: { function: "jobById", id: "42" } });
    const notAnInt = await fetch(`${host.url}/api/jobs/forty-two`);
    expect(notAnInt.status).toBe(404);
  });

  it("binds catch-all parameters across segments", async () => {
    expect(await getJson("/api/files/a/b/c.csv")).toEqual({
      status: 200,
      body: { function: "fileByPath", path: "a/b/c.csv" },
    });
  });

  it("uses the function name as the route when none is given", async () => {
    const response = await fetch(`${host.url}/api/ping`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("pong");
  });

  it("answers 404 for paths no route matches, also outside the route prefix", async () => {
    for (const path of ["/api/nothing-here", "/ping", "/", "/api/batch-endpoints/a/b/c/d/e"]) {
      const response = await fetch(`${host.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  it("answers 405 with Allow when the route exists for other methods only", async () => {
    const wrong = await fetch(`${host.url}/api/items/7`, { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("DELETE, PUT");
    const post = await fetch(`${host.url}/api/ping`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect(await getJson("/api/items/7", { method: "PUT" })).toEqual({
      status: 200,
      body: { method: "PUT", id: "7" },
    });
    expect(await getJson("/api/items/8", { method: "DELETE" })).toEqual({
      status: 200,
      body: { method: "DELETE", id: "8" },
    });
  });

  it("applies the route prefix of host.json", async () => {
    expect((await fetch(`${prefixed.url}/v1/batch/ping`)).status).toBe(200);
    expect((await fetch(`${prefixed.url}/api/ping`)).status).toBe(404);
    const response = await fetch(`${prefixed.url}/v1/batch/jobs/5`);
    expect(await response.json()).toEqual({ function: "jobById", id: "5" });
  });
});

describe("authorization levels", () => {
  const cases: Array<{ path: string; key?: string; via?: "header" | "query"; status: number }> = [
    { path: "/api/ping", status: 200 },
    { path: "/api/ping", key: "wrong", via: "header", status: 200 },
    { path: "/api/secure/function", status: 401 },
    { path: "/api/secure/function", key: "wrong", via: "header", status: 401 },
    { path: "/api/secure/function", key: "wrong", via: "query", status: 401 },
    { path: "/api/secure/function", key: FUNCTION_KEY, via: "header", status: 200 },
    { path: "/api/secure/function", key: FUNCTION_KEY, via: "query", status: 200 },
    { path: "/api/secure/function", key: MASTER_KEY, via: "header", status: 200 },
    { path: "/api/secure/admin", status: 401 },
    { path: "/api/secure/admin", key: FUNCTION_KEY, via: "header", status: 401 },
    { path: "/api/secure/admin", key: FUNCTION_KEY, via: "query", status: 401 },
    { path: "/api/secure/admin", key: "wrong", via: "header", status: 401 },
    { path: "/api/secure/admin", key: MASTER_KEY, via: "header", status: 200 },
    { path: "/api/secure/admin", key: MASTER_KEY, via: "query", status: 200 },
  ];

  it.each(cases)("$path with $via key '$key' → $status", async ({ path, key, via, status }) => {
    const url = new URL(`${host.url}${path}`);
    const headers: Record<string, string> = {};
    if (key !== undefined && via === "query") url.searchParams.set("code", key);
    if (key !== undefined && via === "header") headers["x-functions-key"] = key;
    const response = await fetch(url, { headers });
    expect(response.status).toBe(status);
    const text = await response.text();
    if (status === 200) expect(text).toMatch(/ok|pong/);
    else expect(text).toBe("");
  });

  it("checks the header key before the code query parameter", async () => {
    const response = await fetch(`${host.url}/api/secure/admin?code=${MASTER_KEY}`, {
      headers: { "x-functions-key": FUNCTION_KEY },
    });
    expect(response.status).toBe(401);
  });

  it("checks no key when the host has no keys (as Core Tools), and none passes an empty key set", async () => {
    const noKeys = await startFixtureHost({ keys: "none" });
    const emptyKeys = await startFixtureHost({ keys: {} });
    try {
      expect((await fetch(`${noKeys.url}/api/secure/admin`)).status).toBe(200);
      expect((await fetch(`${emptyKeys.url}/api/secure/function?code=anything`)).status).toBe(401);
      expect((await fetch(`${emptyKeys.url}/api/secure/function?code=`)).status).toBe(401);
    } finally {
      await noKeys.stop();
      await emptyKeys.stop();
    }
  });
});
