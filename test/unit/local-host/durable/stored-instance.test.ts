import { describe, expect, it } from "vitest";
import { history } from "../../../../src/local-host/durable/history.js";
import { newInstance } from "../../../../src/local-host/durable/instance.js";
import {
  parseStoredInstance,
  serializeStoredInstance,
  storedInstance,
} from "../../../../src/local-host/durable/stored-instance.js";

describe("stored instance records", () => {
  it("round-trip through JSON with their dates, open tasks and outbox", () => {
    const now = new Date("2026-03-04T05:06:07.089Z");
    const record = newInstance({ instanceId: "a/b", executionId: "e", name: "job", input: { x: [1] }, now });
    record.history.push(
      history.orchestratorStarted(now),
      history.timerCreated(now, 0, new Date(now.getTime() + 5)),
    );
    record.openTasks[0] = { kind: "timer" };
    record.retries[2] = {
      options: { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 },
      attempt: 1,
    };
    record.firstAttempts[2] = { kind: "activity", name: "score", input: 1, retry: 2 };
    const stored = storedInstance(record, "parent-exec");
    stored.outbox = [
      {
        queue: "control",
        message: {
          id: "m",
          instanceId: "a/b",
          executionId: "e",
          body: { kind: "timerFired", timerId: 0, fireAt: now },
        },
        deliverAt: now,
      },
    ];
    const back = parseStoredInstance(serializeStoredInstance(stored), "instances/a%2Fb.json");
    expect(back).toEqual(stored);
    expect(back.record.history[1]?.FireAt).toBeInstanceOf(Date);
    expect(back.record.createdTime).toBeInstanceOf(Date);
  });

  it("names the blob and the field of a malformed record", () => {
    expect(() => parseStoredInstance("{", "instances/x.json")).toThrow(/instances\/x.json/);
    try {
      parseStoredInstance(
        JSON.stringify({ record: {}, held: [], seenEvents: [], outbox: [], version: 1 }),
        "x",
      );
      expect.unreachable();
    } catch (thrown) {
      expect(thrown).toMatchObject({ code: "CorruptRecord" });
      expect((thrown as { details: Array<{ path: string }> }).details.map((d) => d.path)).toContain(
        "record.instanceId",
      );
    }
  });
});
