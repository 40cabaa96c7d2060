import { app } from "@azure/functions";
import { beforeAll, describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { invokeFunction } from "../../../src/local-host/invoke-function.js";
import { loadFunctionApp } from "../../../src/local-host/load-function-app.js";
import type { RegisteredFunction } from "../../../src/local-host/registered-function.js";
import { fixtureApps } from "./local-host-fixture.js";

let functions: Map<string, RegisteredFunction>;

beforeAll(async () => {
  const loaded = await loadFunctionApp({ appDir: fixtureApps.main });
  functions = new Map(loaded.functions.map((fn) => [fn.name, fn]));
});

function fn(name: string): RegisteredFunction {
  const found = functions.get(name);
  if (!found) throw new Error(`fixture function ${name} is missing`);
  return found;
}

const NOW = "2026-01-01T00:00:00.000Z";
const started = [
  { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: NOW },
  {
    EventType: 0,
    EventId: -1,
    IsPlayed: false,
    Timestamp: NOW,
    Name: "helloSequence",
    Input: null,
    OrchestrationInstance: { InstanceId: "inst-1", ExecutionId: "exec-1" },
  },
];

function orchestrationInput(history: unknown[]) {
  return {
    history,
    input: null,
    instanceId: "inst-1",
    isReplaying: false,
    parentInstanceId: null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
  };
}

describe("invokeFunction: the worker's invocation path through the real library", () => {
  it("runs an activity with the input the library pre-stringified, returning the handler's value", async () => {
    const result = await invokeFunction(fn("sayHello"), { triggerValue: JSON.stringify("Tokyo") });
    expect(result.returnValue).toBe("Hello Tokyo");
    expect(result.response.returnValue).toEqual({ string: "Hello Tokyo" });
  });

  it("runs an activity with an object input and returns an object", async () => {
    const result = await invokeFunction(fn("addNumbers"), { triggerValue: { a: 2, b: 3 } });
    expect(result.returnValue).toEqual({ sum: 5 });
    expect(result.response.returnValue).toEqual({ json: JSON.stringify({ sum: 5 }) });
  });

  it("rejects with the activity's own error", async () => {
    await expect(invokeFunction(fn("failingActivity"), { triggerValue: "null" })).rejects.toThrow(
      "activity failed on purpose",
    );
  });

  it("runs an orchestration episode: the first activity is scheduled with its input as JSON text", async () => {
    const result = await invokeFunction(fn("helloSequence"), { triggerValue: orchestrationInput(started) });
    expect(result.returnValue).toMatchObject({
      isDone: false,
      actions: [[{ actionType: 0, functionName: "sayHello", input: JSON.stringify("Tokyo") }]],
    });
  });

  it("replays an orchestration to its end from a history of completed tasks", async () => {
    const history = [
      ...started,
      { EventType: 4, EventId: 0, IsPlayed: true, Timestamp: NOW, Name: "sayHello", Input: '"Tokyo"' },
      { EventType: 13, EventId: -1, IsPlayed: true, Timestamp: NOW },
      { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: NOW },
      {
        EventType: 5,
        EventId: -1,
        IsPlayed: false,
        Timestamp: NOW,
        TaskScheduledId: 0,
        Result: '"Hello Tokyo"',
      },
      { EventType: 4, EventId: 1, IsPlayed: false, Timestamp: NOW, Name: "sayHello", Input: '"Seattle"' },
      {
        EventType: 5,
        EventId: -1,
        IsPlayed: false,
        Timestamp: NOW,
        TaskScheduledId: 1,
        Result: '"Hello Seattle"',
      },
    ];
    const result = await invokeFunction(fn("helloSequence"), { triggerValue: orchestrationInput(history) });
    expect(result.returnValue).toMatchObject({ isDone: true, output: ["Hello Tokyo", "Hello Seattle"] });
  });

  it("runs preInvocation and postInvocation hooks around the callback, sharing hookData", async () => {
    const seen: unknown[] = [];
    const pre = app.hook.preInvocation((context) => {
      if (context.invocationContext.functionName !== "sayHello") return;
      context.hookData.original = context.inputs[0];
      context.inputs = ["Osaka"];
    });
    const post = app.hook.postInvocation((context) => {
      if (context.invocationContext.functionName !== "sayHello") return;
      seen.push(context.hookData.original, context.result);
      context.result = `${String(context.result)}!`;
    });
    try {
      const result = await invokeFunction(fn("sayHello"), { triggerValue: JSON.stringify("Tokyo") });
      expect(result.returnValue).toBe("Hello Osaka!");
      expect(seen).toEqual(["Tokyo", "Hello Osaka"]);
    } finally {
      pre.dispose();
      post.dispose();
    }
    expect((await invokeFunction(fn("sayHello"), { triggerValue: '"Kyoto"' })).returnValue).toBe(
      "Hello Kyoto",
    );
  });

  it("refuses inputs for bindings the function does not have", async () => {
    const failure = await invokeFunction(fn("sayHello"), {
      triggerValue: '"x"',
      inputs: { client: {} },
    }).catch((thrown: unknown) => thrown);
    expect(failure).toBeInstanceOf(BatchfnError);
    expect((failure as BatchfnError).message).toBe("Function 'sayHello' has no input binding named 'client'");
  });
});
