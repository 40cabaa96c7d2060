import { HttpRequest } from "@azure/functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import * as df from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityInvoker } from "../../../../src/local-host/durable/activity-dispatcher.js";
import { type DurableFixture, eventually, startDurable, waitForEnd } from "./durable-fixture.js";

const activities: Record<string, ActivityInvoker> = {
  echo: async (input) => input,
};

const orchestrations: Record<string, OrchestrationHandler> = {
  quick: function* (context: OrchestrationContext) {
    return yield context.df.callActivity("echo", context.df.getInput());
  },
  waiting: function* (context: OrchestrationContext) {
    context.df.setCustomStatus("waiting for go");
    const go = yield context.df.waitForExternalEvent("go");
    return { go, input: context.df.getInput() };
  },
  parentOfWaiting: function* (context: OrchestrationContext) {
    try {
      return yield context.df.callSubOrchestrator("waiting", null, `${context.df.instanceId}-child`);
    } catch (thrown) {
      return `child failed: ${(thrown as Error).message}`;
    }
  },
};

const running = (s: { runtimeStatus: string }) => s.runtimeStatus === "Running";

describe("management API through the real DurableClient", () => {
  let fixture: DurableFixture;
  beforeAll(async () => {
    fixture = await startDurable({ orchestrations, activities });
  });
  afterAll(() => fixture.close());

  it("starts instances with a given id and with a generated one", async () => {
    const given = await fixture.client.startNew("quick", { instanceId: "given-id-1", input: { a: 1 } });
    expect(given).toBe("given-id-1");
    const generated = await fixture.client.startNew("quick", { input: 2 });
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect((await waitForEnd(fixture.client, given)).output).toEqual({ a: 1 });
    expect((await waitForEnd(fixture.client, generated)).output).toBe(2);
  });

  it("answers status with or without input and history", async () => {
    const id = await fixture.client.startNew("quick", { input: "in" });
    await waitForEnd(fixture.client, id);
    const status = await fixture.client.getStatus(id);
    expect(status).toMatchObject({ name: "quick", instanceId: id, input: "in", output: "in" });
    expect(status.createdTime).toBeInstanceOf(Date);
    const withoutInput = await fetch(`${fixture.origin}/durabletask/instances/${id}?showInput=false`);
    expect(((await withoutInput.json()) as { input: unknown }).input).toBeNull();
    const raw = await fetch(
      `${fixture.origin}/durabletask/instances/${id}?showHistory=true&showHistoryOutput=true`,
    );
    const body = (await raw.json()) as { historyEvents: Array<Record<string, unknown>>; createdTime: string };
    expect(body.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.historyEvents.map((e) => e.EventType)).toEqual([
      "ExecutionStarted",
      "TaskCompleted",
      "ExecutionCompleted",
    ]);
    expect(body.historyEvents[1]).toMatchObject({ FunctionName: "echo", Result: "in" });
    await expect(fixture.client.getStatus("no-such-instance")).rejects.toThrow(/404/);
  });

  it("answers with the extension's statuses and headers", async () => {
    const base = `${fixture.origin}/durabletask`;
    const start = await fetch(`${base}/orchestrators/waiting/raw-1`, { method: "POST", body: '{"x":1}' });
    expect(start.status).toBe(202);
    expect(start.headers.get("retry-after")).toBe("10");
    const payload = (await start.json()) as Record<string, string>;
    expect(Object.keys(payload).sort()).toEqual(
      [
        "id",
        "statusQueryGetUri",
        "sendEventPostUri",
        "terminatePostUri",
        "rewindPostUri",
        "purgeHistoryDeleteUri",
        "restartPostUri",
        "suspendPostUri",
        "resumePostUri",
      ].sort(),
    );
    expect(start.headers.get("location")).toBe(payload.statusQueryGetUri);
    expect(payload.statusQueryGetUri).toBe(
      `${fixture.origin}/runtime/webhooks/durabletask/instances/raw-1?taskHub=${fixture.hub}&connection=Storage`,
    );
    await eventually(() => fixture.client.getStatus("raw-1"), running);
    const pending = await fetch(`${base}/instances/raw-1`);
    expect(pending.status).toBe(202);
    expect(pending.headers.get("retry-after")).toBe("5");
    expect(pending.headers.get("location")).toBe(`${base}/instances/raw-1`);
    const sent = await fetch(`${base}/instances/raw-1/raiseEvent/go`, { method: "POST", body: '"now"' });
    expect(sent.status).toBe(202);
    await waitForEnd(fixture.client, "raw-1");
    const done = await fetch(`${base}/instances/raw-1`);
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      runtimeStatus: "Completed",
      output: { go: "now", input: { x: 1 } },
    });
    expect((await fetch(`${base}/instances/raw-1/raiseEvent/go`, { method: "POST", body: "1" })).status).toBe(
      410,
    );
    expect((await fetch(`${base}/instances/raw-1/terminate?reason=late`, { method: "POST" })).status).toBe(
      410,
    );
    expect((await fetch(`${base}/instances/nobody/terminate?reason=x`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${base}/instances/raw-1/rewind?reason=x`, { method: "POST" })).status).toBe(501);
    expect((await fetch(`${base}/orchestrators/noSuchFunction`, { method: "POST" })).status).toBe(400);
    expect((await fetch(`${base}/orchestrators/quick`, { method: "POST", body: "{not json" })).status).toBe(
      400,
    );
    expect((await fetch(`${base}/instances/?runtimeStatus=Sleeping`)).status).toBe(400);
  });

  it("creates and waits (timeout query), and restarts an instance with its input", async () => {
    const base = `${fixture.origin}/durabletask`;
    const waited = await fetch(`${base}/orchestrators/quick/wait-1?timeout=10&pollingInterval=1`, {
      method: "POST",
      body: '"waited"',
    });
    expect(waited.status).toBe(200);
    expect(await waited.json()).toBe("waited");
    const notYet = await fetch(`${base}/orchestrators/waiting/wait-2?timeout=0&pollingInterval=1`, {
      method: "POST",
      body: "1",
    });
    expect(notYet.status).toBe(202);
    expect(((await notYet.json()) as { id: string }).id).toBe("wait-2");

    const restarted = await fetch(`${base}/instances/wait-1/restart?restartWithNewInstanceId=false`, {
      method: "POST",
    });
    expect(restarted.status).toBe(202);
    expect(((await restarted.json()) as { id: string }).id).toBe("wait-1");
    const again = await waitForEnd(fixture.client, "wait-1");
    expect(again).toMatchObject({ runtimeStatus: "Completed", output: "waited" });
    const fresh = await fetch(`${base}/instances/wait-1/restart`, { method: "POST" });
    const freshId = ((await fresh.json()) as { id: string }).id;
    expect(freshId).not.toBe("wait-1");
    expect((await waitForEnd(fixture.client, freshId)).output).toBe("waited");
  });

  it("raises events, terminates, and tells a parent its child was terminated", async () => {
    const parent = await fixture.client.startNew("parentOfWaiting");
    const child = `${parent}-child`;
    await eventually(
      () => fixture.client.getStatus(child).catch(() => ({ runtimeStatus: "absent" })),
      running,
    );
    await fixture.client.terminate(child, "no longer needed");
    const childStatus = await waitForEnd(fixture.client, child);
    expect(childStatus).toMatchObject({ runtimeStatus: "Terminated", output: "no longer needed" });
    const parentStatus = await waitForEnd(fixture.client, parent);
    expect(parentStatus.output).toMatch(/^child failed: .*was terminated: no longer needed/);
    await expect(fixture.client.terminate("nobody", "x")).rejects.toThrow(/No instance/);
  });

  it("holds events while suspended and delivers them on resume", async () => {
    const id = await fixture.client.startNew("waiting", { input: "s" });
    await eventually(() => fixture.client.getStatus(id), running);
    await fixture.client.suspend(id, "pause");
    await eventually(
      () => fixture.client.getStatus(id),
      (s) => s.runtimeStatus === "Suspended",
    );
    await fixture.client.raiseEvent(id, "go", "while suspended");
    const controlQueue = fixture.clients.queue.getQueueClient(fixture.backend.names.controlQueue);
    await eventually(
      async () => (await controlQueue.getProperties()).approximateMessagesCount,
      (count) => count === 0,
    );
    expect((await fixture.client.getStatus(id)).runtimeStatus).toBe("Suspended");
    await fixture.client.resume(id, "go on");
    const status = await waitForEnd(fixture.client, id);
    expect(status.output).toEqual({ go: "while suspended", input: "s" });
  });

  it("purges finished instances, one or by filter, and leaves running ones", async () => {
    const from = new Date(Date.now() - 1_000);
    const done = await fixture.client.startNew("quick", { input: 1 });
    await waitForEnd(fixture.client, done);
    expect(await fixture.client.purgeInstanceHistory(done)).toEqual({ instancesDeleted: 1 });
    await expect(fixture.client.getStatus(done)).rejects.toThrow(/404/);
    expect((await fixture.client.purgeInstanceHistory(done)).instancesDeleted).toBe(0);

    const live = await fixture.client.startNew("waiting");
    await eventually(() => fixture.client.getStatus(live), running);
    expect((await fixture.client.purgeInstanceHistory(live)).instancesDeleted).toBe(0);

    const a = await fixture.client.startNew("quick", { input: "a" });
    const b = await fixture.client.startNew("quick", { input: "b" });
    await waitForEnd(fixture.client, a);
    await waitForEnd(fixture.client, b);
    const purged = await fixture.client.purgeInstanceHistoryBy({
      createdTimeFrom: from,
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
    });
    expect(purged.instancesDeleted).toBeGreaterThanOrEqual(2);
    await expect(fixture.client.getStatus(a)).rejects.toThrow(/404/);
    expect((await fixture.client.getStatus(live)).runtimeStatus).toBe("Running");
    const none = await fixture.client.purgeInstanceHistoryBy({
      createdTimeFrom: new Date(Date.now() + 60_000),
    });
    expect(none.instancesDeleted).toBe(0);
  });

  it("builds check-status responses and waits for completion", async () => {
    const request = new HttpRequest({ method: "POST", url: "http://example.test:8080/api/start" });
    const id = await fixture.client.startNew("quick", { input: "w" });
    const check = fixture.client.createCheckStatusResponse(request, id);
    expect(check.status).toBe(202);
    const payload = (await check.json()) as Record<string, string>;
    expect(payload.id).toBe(id);
    expect(payload.statusQueryGetUri).toMatch(
      new RegExp(`^http://example.test:8080/runtime/webhooks/durabletask/instances/${id}\\?`),
    );
    const completed = await fixture.client.waitForCompletionOrCreateCheckStatusResponse(request, id, {
      timeoutInMilliseconds: 10_000,
      retryIntervalInMilliseconds: 100,
    });
    expect(completed.status).toBe(200);
    expect(await completed.json()).toBe("w");

    const slow = await fixture.client.startNew("waiting");
    const timedOut = await fixture.client.waitForCompletionOrCreateCheckStatusResponse(request, slow, {
      timeoutInMilliseconds: 300,
      retryIntervalInMilliseconds: 100,
    });
    expect(timedOut.status).toBe(202);
  });
});

describe("instance lists", () => {
  let fixture: DurableFixture;
  beforeAll(async () => {
    fixture = await startDurable({ orchestrations, activities }, { listPageSize: 3 });
  });
  afterAll(() => fixture.close());

  it("pages with continuation tokens the client follows, and filters", async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `list-${i}`);
    for (const id of ids.slice(0, 6)) await fixture.client.startNew("quick", { instanceId: id, input: id });
    for (const id of ids.slice(0, 6)) await waitForEnd(fixture.client, id);
    for (const id of ids.slice(6)) await fixture.client.startNew("waiting", { instanceId: id });
    for (const id of ids.slice(6)) await eventually(() => fixture.client.getStatus(id), running);

    const all = await fixture.client.getStatusAll();
    expect(all.map((s) => s.instanceId).sort()).toEqual(ids);

    const first = await fetch(`${fixture.origin}/durabletask/instances/`);
    expect(((await first.json()) as unknown[]).length).toBe(3);
    const token = first.headers.get("x-ms-continuation-token");
    expect(token).toBeTruthy();
    const last = await fetch(`${fixture.origin}/durabletask/instances/?top=10`, {
      headers: { "x-ms-continuation-token": token ?? "" },
    });
    expect(((await last.json()) as unknown[]).length).toBe(5);
    expect(last.headers.get("x-ms-continuation-token")).toBeNull();

    const completed = await fixture.client.getStatusBy({
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
    });
    expect(completed.map((s) => s.instanceId).sort()).toEqual(ids.slice(0, 6));
    const runningNow = await fixture.client.getStatusBy({
      runtimeStatus: [df.OrchestrationRuntimeStatus.Running],
      createdTimeFrom: new Date(Date.now() - 60_000),
      createdTimeTo: new Date(Date.now() + 1_000),
    });
    expect(runningNow.map((s) => s.instanceId).sort()).toEqual(ids.slice(6));
    const future = await fixture.client.getStatusBy({ createdTimeFrom: new Date(Date.now() + 60_000) });
    expect(future).toEqual([]);
    const prefixed = await fetch(
      `${fixture.origin}/durabletask/instances/?instanceIdPrefix=list-7&showInput=true`,
    );
    // startNew without input: axios JSON-encodes the empty body to "", which becomes the input
    expect(await prefixed.json()).toMatchObject([{ instanceId: "list-7", input: "", name: "waiting" }]);
    const hidden = await fetch(`${fixture.origin}/durabletask/instances/?instanceIdPrefix=list-0`);
    expect(await hidden.json()).toMatchObject([{ instanceId: "list-0", input: null, output: "list-0" }]);
  });
});

describe("keys on the webhook routes", () => {
  let fixture: DurableFixture;
  beforeAll(async () => {
    fixture = await startDurable({ orchestrations, activities }, { systemKey: "sys-key" });
  });
  afterAll(() => fixture.close());

  it("requires the system key under /runtime/webhooks/durabletask and none under the rpc base", async () => {
    const id = await fixture.client.startNew("quick", { input: 1 });
    await waitForEnd(fixture.client, id);
    const webhook = `${fixture.origin}/runtime/webhooks/durabletask/instances/${id}`;
    expect((await fetch(webhook)).status).toBe(401);
    expect((await fetch(`${webhook}?code=wrong`)).status).toBe(401);
    expect((await fetch(`${webhook}?code=sys-key`)).status).toBe(200);
    expect((await fetch(webhook, { headers: { "x-functions-key": "sys-key" } })).status).toBe(200);
    const binding = fixture.backend.bindingValue();
    expect(binding.requiredQueryStringParameters).toBe("code=sys-key");
    expect(binding.managementUrls.statusQueryGetUri).toMatch(/&code=sys-key$/);
  });
});
