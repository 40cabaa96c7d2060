import { describe, expect, it } from "vitest";
import { history } from "../../../../src/local-host/durable/history.js";
import { newInstance } from "../../../../src/local-host/durable/instance.js";
import { historyEvents, statusBody, statusTime } from "../../../../src/local-host/durable/status-body.js";

const t0 = new Date("2026-01-01T00:00:00.500Z");
const t1 = new Date("2026-01-01T00:00:01.250Z");

function record() {
  const r = newInstance({ instanceId: "i", executionId: "e", name: "job", input: { n: 1 }, now: t0 });
  r.history.push(
    history.orchestratorStarted(t0),
    history.executionStarted({ now: t0, name: "job", input: { n: 1 }, instanceId: "i", executionId: "e" }),
    history.taskScheduled(t0, 0, "score", 1),
    history.orchestratorCompleted(t0),
    history.orchestratorStarted(t1),
    history.taskFailed(t1, 0, "Activity function 'score' failed: bad", ""),
    history.eventRaised(t1, "go", { ok: true }),
    history.executionCompleted(t1, [1, 2]),
  );
  r.runtimeStatus = "Completed";
  r.output = [1, 2];
  r.lastUpdatedTime = t1;
  return r;
}

describe("status bodies", () => {
  it("writes times without milliseconds and hides the input on request", () => {
    expect(statusTime(t1)).toBe("2026-01-01T00:00:01Z");
    const detail = { showInput: false, showHistory: false, showHistoryOutput: false };
    expect(statusBody(record(), detail)).toEqual({
      name: "job",
      instanceId: "i",
      runtimeStatus: "Completed",
      input: null,
      customStatus: null,
      output: [1, 2],
      createdTime: "2026-01-01T00:00:00Z",
      lastUpdatedTime: "2026-01-01T00:00:01Z",
    });
  });

  it("shows history the extension's way: names, completions with their function, outputs on request", () => {
    const quiet = historyEvents(record(), { showInput: true, showHistory: true, showHistoryOutput: false });
    expect(quiet).toEqual([
      { EventType: "ExecutionStarted", Timestamp: t0.toISOString(), FunctionName: "job", Input: { n: 1 } },
      {
        EventType: "TaskFailed",
        Timestamp: t1.toISOString(),
        FunctionName: "score",
        ScheduledTime: t0.toISOString(),
        Reason: "Activity function 'score' failed: bad",
      },
      { EventType: "EventRaised", Timestamp: t1.toISOString(), Name: "go" },
      { EventType: "ExecutionCompleted", Timestamp: t1.toISOString(), OrchestrationStatus: "Completed" },
    ]);
    const loud = historyEvents(record(), { showInput: true, showHistory: true, showHistoryOutput: true });
    expect(loud[2]).toMatchObject({ Input: { ok: true } });
    expect(loud[3]).toMatchObject({ Result: [1, 2] });
  });
});
