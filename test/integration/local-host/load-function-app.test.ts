import { join } from "node:path";
import { app } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { loadFunctionApp } from "../../../src/local-host/load-function-app.js";
import type { RegisteredFunction } from "../../../src/local-host/registered-function.js";
import { fixtureApps, startFixtureHost } from "./local-host-fixture.js";

function byName(functions: RegisteredFunction[], name: string): RegisteredFunction {
  const found = functions.find((fn) => fn.name === name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

describe("loadFunctionApp: registrations captured through @azure/functions-core", () => {
  it("captures every function of the app with its trigger and bindings", async () => {
    const loaded = await loadFunctionApp({ appDir: fixtureApps.main });
    expect(loaded.entryFiles).toEqual([join(fixtureApps.main, "index.ts")]);
    expect(loaded.functions.map((fn) => fn.name).sort()).toEqual(
      [
        "addNumbers",
        "adminLevel",
        "boom",
        "chunks",
        "clientInfo",
        "echo",
        "failingActivity",
        "fileByPath",
        "follow",
        "followControl",
        "functionLevel",
        "getDeployment",
        "helloSequence",
        "inboxBlob",
        "items",
        "jobById",
        "latestJob",
        "noContent",
        "ping",
        "sayHello",
      ].sort(),
    );
    const ping = byName(loaded.functions, "ping");
    expect(ping.trigger).toMatchObject({
      type: "httpTrigger",
      direction: "in",
      methods: ["GET"],
      authLevel: "anonymous",
    });
    expect(ping.trigger.route).toBeUndefined();
    expect(ping.bindings.find((b) => b.name === "$return")).toMatchObject({ type: "http", direction: "out" });

    expect(byName(loaded.functions, "getDeployment").trigger).toMatchObject({
      route: "batch-endpoints/{name}/deployments/{deployment?}",
      methods: ["GET"],
    });
    expect(byName(loaded.functions, "items").trigger.methods).toEqual(["PUT", "DELETE"]);
    expect(byName(loaded.functions, "adminLevel").trigger.authLevel).toBe("admin");
    expect(byName(loaded.functions, "inboxBlob").trigger).toMatchObject({
      type: "blobTrigger",
      path: "%LOCAL_HOST_FIXTURE_INBOX%/incoming/{name}",
      connection: "AzureWebJobsStorage",
    });
    const clientInfo = byName(loaded.functions, "clientInfo");
    expect(clientInfo.bindings.filter((b) => b.type === "durableClient")).toMatchObject([
      { direction: "in" },
    ]);
    expect(byName(loaded.functions, "sayHello").trigger.type).toBe("activityTrigger");
    expect(byName(loaded.functions, "helloSequence").trigger.type).toBe("orchestrationTrigger");
    expect(typeof ping.callback).toBe("function");
    expect(ping.metadata.rawBindings.map((raw) => JSON.parse(raw).type)).toEqual(["httpTrigger", "http"]);
  });

  it("reads host.json and reports no stream proxy unless the app enables HTTP streaming", async () => {
    const loaded = await loadFunctionApp({ appDir: fixtureApps.main });
    expect(loaded.hostJson.extensions.http?.routePrefix).toBe("api");
    expect(loaded.hostJson.extensions.durableTask).toEqual({
      hubName: "FixtureHub",
      maxConcurrentActivityFunctions: 4,
    });
    expect(loaded.capabilities.HttpUri).toBeUndefined();
  });

  it("returns the registrations of the first load when the same entry is loaded again", async () => {
    const first = await loadFunctionApp({ appDir: fixtureApps.main });
    const prefixed = await loadFunctionApp({ appDir: fixtureApps.prefixed });
    expect(prefixed.functions).toBe(first.functions);
    expect(prefixed.hostJson.extensions.http?.routePrefix).toBe("v1/batch");
  });

  it("loads a CommonJS app whose main is a pattern, and serves it", async () => {
    const loaded = await loadFunctionApp({ appDir: fixtureApps.cjs });
    expect(loaded.entryFiles).toEqual([
      join(fixtureApps.cjs, "functions", "hello.cjs"),
      join(fixtureApps.cjs, "functions", "queue.cjs"),
    ]);
    expect(loaded.functions.map((fn) => [fn.name, fn.trigger.type])).toEqual([
      ["cjsHello", "httpTrigger"],
      ["cjsQueue", "queueTrigger"],
    ]);
    const host = await startFixtureHost({ appDir: fixtureApps.cjs });
    try {
      expect(await (await fetch(`${host.url}/api/cjsHello?name=world`)).text()).toBe("hello world");
    } finally {
      await host.stop();
    }
  });

  it("names the entry when it matches no file", async () => {
    const failure = await loadFunctionApp({ appDir: fixtureApps.main, entry: "missing/*.js" }).catch(
      (thrown: unknown) => thrown,
    );
    expect(failure).toBeInstanceOf(BatchfnError);
    expect(failure).toMatchObject({ code: "InvalidConfig" });
    expect((failure as BatchfnError).message).toContain("'missing/*.js'");
  });

  it("refuses registrations after app startup, as the worker does", async () => {
    await loadFunctionApp({ appDir: fixtureApps.main });
    expect(() => app.http("late", { handler: async () => ({ body: "late" }) })).toThrow(
      "A function can only be registered during app startup.",
    );
  });
});
