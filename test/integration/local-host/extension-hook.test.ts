import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DurableExtension, ExtensionHost } from "../../../src/local-host/durable-extension.js";
import type { LocalHost } from "../../../src/local-host/local-host.js";
import { MASTER_KEY, startFixtureHost } from "./local-host-fixture.js";

const events: string[] = [];
let extensionHost: ExtensionHost | undefined;

async function management(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname.endsWith("/stream")) {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of ["a", "b", "c"]) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/plain" } });
  }
  const headers = new Headers({ "content-type": "application/json", location: `${url.origin}/somewhere` });
  headers.append("set-cookie", "a=1");
  headers.append("set-cookie", "b=2");
  return new Response(
    JSON.stringify({
      method: request.method,
      path: url.pathname,
      query: url.searchParams.get("q"),
      body: await request.text(),
      header: request.headers.get("x-test"),
    }),
    { status: 202, headers },
  );
}

const extension: DurableExtension = {
  async onFunctions(functions, host) {
    extensionHost = host;
    events.push(`onFunctions:${functions.length}`);
    host.addRawRoute("/runtime/webhooks/durabletask/", management, { authLevel: "admin" });
    host.addRawRoute("durabletask", management);
    const sayHello = functions.find((fn) => fn.name === "sayHello");
    if (!sayHello) throw new Error("no sayHello");
    const result = await host.invoke(sayHello, { triggerValue: JSON.stringify("extension") });
    events.push(`invoked:${String(result.returnValue)}`);
  },
  bindingValue: () => ({}),
  stop() {
    events.push("stop");
  },
};

let host: LocalHost;

beforeAll(async () => {
  host = await startFixtureHost({ durable: extension, maxRequestBodyBytes: 64 });
});

afterAll(async () => {
  await host?.stop();
});

describe("the Durable extension hook", () => {
  it("gets the functions, the host URL and host.json once the host listens, and can invoke", () => {
    expect(events).toEqual([`onFunctions:${host.functions.length}`, "invoked:Hello extension"]);
    expect(extensionHost?.url).toBe(host.url);
    expect(extensionHost?.hostJson.extensions.durableTask).toMatchObject({ hubName: "FixtureHub" });
  });

  it("serves raw routes with Fetch requests and responses, under their auth level", async () => {
    const url = `${host.url}/runtime/webhooks/durabletask/instances/abc/raiseEvent/go?q=1&code=${MASTER_KEY}`;
    const response = await fetch(url, { method: "POST", headers: { "x-test": "yes" }, body: '{"x":1}' });
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`${host.url}/somewhere`);
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.json()).toEqual({
      method: "POST",
      path: "/runtime/webhooks/durabletask/instances/abc/raiseEvent/go",
      query: "1",
      body: '{"x":1}',
      header: "yes",
    });
    const noKey = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/abc`);
    expect(noKey.status).toBe(401);
    const rpc = await fetch(`${host.url}/durabletask/instances/?q=2`);
    expect(rpc.status).toBe(202);
    expect(await rpc.json()).toMatchObject({
      method: "GET",
      path: "/durabletask/instances/",
      query: "2",
      body: "",
    });
  });

  it("streams raw response bodies and refuses raw request bodies over the limit", async () => {
    const streamed = await fetch(`${host.url}/durabletask/stream`);
    expect(await streamed.text()).toBe("abc");
    const tooLarge = await fetch(`${host.url}/durabletask/instances/x`, {
      method: "POST",
      body: "x".repeat(65),
    });
    expect(tooLarge.status).toBe(413);
  });

  it("is stopped with the host", async () => {
    const second = await startFixtureHost({ durable: extension });
    await second.stop();
    expect(events.at(-1)).toBe("stop");
  });
});
