import { describe, expect, it } from "vitest";
import {
  ACTIVITY,
  type FailureRecord,
  type MiniBatchRef,
  ORCHESTRATION,
  type RangeParts,
  type ScoringJobInput,
} from "../../../src/jobs/orchestration/contract.js";
import { scoringJob, scoringJobChunk } from "../../../src/jobs/orchestration/scoring-job.js";
import { type ActivityFn, runOrchestration } from "../../support/durable-runner.js";

const orchestrations = { [ORCHESTRATION.job]: scoringJob, [ORCHESTRATION.chunk]: scoringJobChunk };

function jobInput(overrides: Partial<ScoringJobInput> = {}): ScoringJobInput {
  return {
    jobName: "job1",
    window: 3,
    retry: { maxAttempts: 1, firstIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
    errorThreshold: -1,
    chunkSize: 500,
    ...overrides,
  };
}

/** Activities of a job of `miniBatches` mini-batches of `itemsPer` items; `score` may override per index. */
function activities(
  miniBatches: number,
  itemsPer = 2,
  score?: (ref: MiniBatchRef, attempt: number) => unknown,
): Record<string, ActivityFn> {
  const attempts = new Map<number, number>();
  return {
    [ACTIVITY.plan]: () => ({ miniBatches, items: miniBatches * itemsPer }),
    [ACTIVITY.score]: (input) => {
      const ref = input as MiniBatchRef;
      const attempt = (attempts.get(ref.index) ?? 0) + 1;
      attempts.set(ref.index, attempt);
      return (
        score?.(ref, attempt) ?? {
          index: ref.index,
          succeededItems: itemsPer,
          failedItems: 0,
          rows: itemsPer * 10,
        }
      );
    },
    [ACTIVITY.recordFailure]: (input) => {
      const record = input as FailureRecord;
      return { index: record.index, succeededItems: 0, failedItems: itemsPer, rows: 0 };
    },
    [ACTIVITY.finalize]: () => ["predictions.csv"],
  };
}

const scored = (calls: Array<{ name: string; input: unknown }>) =>
  calls.filter((c) => c.name === ACTIVITY.score).map((c) => (c.input as MiniBatchRef).index);

describe("scoringJob orchestration", () => {
  it("plans, scores every mini-batch once in index order within the window, and finalizes", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(7),
      name: ORCHESTRATION.job,
      input: jobInput(),
    });
    expect(run.root.runtimeStatus).toBe("Completed");
    expect(run.calls.map((c) => c.name)).toEqual([
      ACTIVITY.plan,
      ...Array.from({ length: 7 }, () => ACTIVITY.score),
      ACTIVITY.finalize,
    ]);
    expect(scored(run.calls)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(run.maxInFlight.get("root")).toBe(3);
    expect(run.root.output).toMatchObject({
      status: "Completed",
      outputs: ["predictions.csv"],
      progress: {
        miniBatches: { total: 7, succeeded: 7, failed: 0, running: 0 },
        items: { total: 14, succeeded: 14, failed: 0 },
        rows: 140,
      },
    });
    expect(run.root.customStatus).toMatchObject({ status: "Completed" });
  });

  it("never has more mini-batches in flight than the window, whatever order they finish in", async () => {
    for (const window of [1, 2, 5]) {
      const run = await runOrchestration({
        orchestrations,
        activities: activities(12),
        name: ORCHESTRATION.job,
        input: jobInput({ window }),
        order: "lifo",
      });
      expect(run.root.runtimeStatus).toBe("Completed");
      expect(run.maxInFlight.get("root")).toBe(window);
      expect(scored(run.calls).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    }
  });

  it("retries a failing mini-batch with backoff and counts it once when an attempt succeeds", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(4, 2, (ref, attempt) => {
        if (ref.index === 2 && attempt < 3) throw new Error(`boom ${attempt}`);
        return undefined;
      }),
      name: ORCHESTRATION.job,
      input: jobInput({
        retry: { maxAttempts: 3, firstIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
      }),
    });
    expect(run.root.runtimeStatus).toBe("Completed");
    expect(scored(run.calls).filter((i) => i === 2)).toHaveLength(3);
    expect(run.root.output).toMatchObject({ progress: { items: { succeeded: 8, failed: 0 } } });
    const timers = run.root.history.filter((e) => e.EventType === 10).map((e) => e.FireAt?.getTime() ?? 0);
    const started = run.root.createdTime.getTime();
    expect(timers.map((t) => t - started)).toEqual([1000, 3000]);
  });

  it("records a mini-batch whose last attempt failed, with the activity's own message", async () => {
    const records: FailureRecord[] = [];
    const acts = activities(3, 2, (ref) => {
      if (ref.index === 1) throw new Error("CSV row 7 has 3 fields, expected 5");
      return undefined;
    });
    const recordFailure = acts[ACTIVITY.recordFailure];
    acts[ACTIVITY.recordFailure] = (input, call) => {
      records.push(input as FailureRecord);
      return recordFailure?.(input, call);
    };
    const run = await runOrchestration({
      orchestrations,
      activities: acts,
      name: ORCHESTRATION.job,
      input: jobInput({
        retry: { maxAttempts: 2, firstIntervalMs: 10, backoffCoefficient: 1, maxIntervalMs: 10 },
      }),
    });
    expect(records).toEqual([
      { jobName: "job1", index: 1, attempts: 2, message: "CSV row 7 has 3 fields, expected 5" },
    ]);
    expect(run.root.output).toMatchObject({
      status: "Completed",
      progress: { miniBatches: { succeeded: 2, failed: 1 }, items: { succeeded: 4, failed: 2 } },
    });
  });

  it("stops scheduling after the wave in which the error threshold is exceeded, and fails with the counts", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(20, 2, (ref) =>
        ref.index === 4 ? { index: 4, succeededItems: 0, failedItems: 2, rows: 0 } : undefined,
      ),
      name: ORCHESTRATION.job,
      input: jobInput({ window: 2, errorThreshold: 1 }),
    });
    expect(run.root.runtimeStatus).toBe("Completed");
    expect(scored(run.calls)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.root.output).toMatchObject({
      status: "Failed",
      message:
        "error_threshold 1 exceeded: 2 failed items (1 mini-batch) of 40; no further mini-batch was started.",
    });
  });

  it("tolerates any number of failures with error_threshold -1", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(5, 1, (ref) => ({
        index: ref.index,
        succeededItems: 0,
        failedItems: 1,
        rows: 0,
      })),
      name: ORCHESTRATION.job,
      input: jobInput({ errorThreshold: -1 }),
    });
    expect(run.root.output).toMatchObject({ status: "Completed", progress: { items: { failed: 5 } } });
  });

  it("stops on cancel, lets the running wave finish, and ends Canceled", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(30, 1, (ref) =>
        ref.index >= 5
          ? { index: ref.index, succeededItems: 0, failedItems: 0, rows: 0, canceled: true }
          : undefined,
      ),
      name: ORCHESTRATION.job,
      input: jobInput({ window: 3 }),
    });
    expect(scored(run.calls)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.root.output).toMatchObject({
      status: "Canceled",
      progress: { miniBatches: { succeeded: 5, failed: 0 }, items: { succeeded: 5 } },
    });
  });

  it("stops when a resumed mini-batch finds the job above this host's bounds, and fails with the reason", async () => {
    const reason =
      "Job 'job1' asks for more than this host allows: settings.max_concurrency_per_instance is 6";
    const run = await runOrchestration({
      orchestrations,
      activities: activities(30, 1, (ref) =>
        ref.index >= 4
          ? { index: ref.index, succeededItems: 0, failedItems: 0, rows: 0, abort: reason }
          : undefined,
      ),
      name: ORCHESTRATION.job,
      input: jobInput({ window: 3 }),
    });
    expect(scored(run.calls)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.root.output).toMatchObject({
      status: "Failed",
      message: `${reason}; no further mini-batch was started.`,
      progress: { miniBatches: { succeeded: 4, failed: 0 }, items: { succeeded: 4, failed: 0 } },
    });
  });

  it("fails the job with the planner's message when planning fails", async () => {
    const acts = activities(1);
    acts[ACTIVITY.plan] = () => {
      throw new Error("Input 'azureml://datastores/workspaceblobstore/paths/nope/' does not exist.");
    };
    const run = await runOrchestration({
      orchestrations,
      activities: acts,
      name: ORCHESTRATION.job,
      input: jobInput(),
    });
    expect(run.calls.map((c) => c.name)).toEqual([ACTIVITY.plan, ACTIVITY.finalize]);
    expect(run.root.output).toMatchObject({ status: "Failed" });
    expect(JSON.stringify(run.root.output)).toContain("paths/nope/' does not exist.");
  });

  it("splits a large job into sub-orchestrations that share the window and the threshold", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(10),
      name: ORCHESTRATION.job,
      input: jobInput({ chunkSize: 4, window: 2 }),
    });
    expect([...run.instances.keys()].sort()).toEqual([
      "root",
      "root:chunk-0",
      "root:chunk-1",
      "root:chunk-2",
    ]);
    expect(scored(run.calls)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [id, max] of run.maxInFlight) expect(max, id).toBeLessThanOrEqual(2);
    expect(run.root.output).toMatchObject({ status: "Completed", progress: { items: { succeeded: 20 } } });

    const stopped = await runOrchestration({
      orchestrations,
      activities: activities(10, 1, (ref) =>
        ref.index === 5 ? { index: 5, succeededItems: 0, failedItems: 1, rows: 0 } : undefined,
      ),
      name: ORCHESTRATION.job,
      input: jobInput({ chunkSize: 4, window: 1, errorThreshold: 0 }),
    });
    expect(scored(stopped.calls)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(stopped.instances.has("root:chunk-2")).toBe(false);
    expect(stopped.root.output).toMatchObject({ status: "Failed" });
  });

  it("keeps each history bounded by the chunk size", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(40, 1),
      name: ORCHESTRATION.job,
      input: jobInput({ chunkSize: 10, window: 4 }),
    });
    const longest = Math.max(...[...run.instances.values()].map((r) => r.history.length));
    const single = await runOrchestration({
      orchestrations,
      activities: activities(10, 1),
      name: ORCHESTRATION.job,
      input: jobInput({ chunkSize: 10, window: 4 }),
    });
    expect(longest).toBeLessThanOrEqual(single.root.history.length);
  });
});

/** A part record as `scoreMiniBatch` returns it in its outcome. */
function part(index: number, failed = false) {
  return {
    index,
    attempt: 1,
    status: failed ? ("failed" as const) : ("succeeded" as const),
    rows: failed ? 0 : 20,
    succeededItems: failed ? 0 : 2,
    failedItems: failed ? 2 : 0,
    errorLines: failed ? 2 : 0,
    outputFiles: 0,
  };
}

/** Activities whose outcomes carry their part records, and whose `recordParts` calls are kept. */
function recordingActivities(miniBatches: number, score?: (ref: MiniBatchRef) => unknown) {
  const recorded: RangeParts[] = [];
  const acts = activities(miniBatches, 2, (ref) => {
    const overridden = score?.(ref);
    if (overridden !== undefined) return overridden;
    return { index: ref.index, succeededItems: 2, failedItems: 0, rows: 20, part: part(ref.index) };
  });
  acts[ACTIVITY.recordFailure] = (input) => {
    const { index } = input as FailureRecord;
    return { index, succeededItems: 0, failedItems: 2, rows: 0, part: part(index, true) };
  };
  acts[ACTIVITY.recordParts] = (input) => {
    const range = input as RangeParts;
    recorded.push(range);
    return { parts: range.parts.length };
  };
  return { acts, recorded };
}

describe("scoringJob's range records", () => {
  it("records an inline job's parts in one recordParts call after its last wave, before finalizing", async () => {
    const { acts, recorded } = recordingActivities(7, (ref) => {
      if (ref.index === 4) throw new Error("storage unavailable");
      return undefined;
    });
    const run = await runOrchestration({
      orchestrations,
      activities: acts,
      name: ORCHESTRATION.job,
      input: jobInput(),
    });
    expect(run.root.runtimeStatus).toBe("Completed");
    const names = run.calls.map((c) => c.name);
    expect(names.filter((n) => n === ACTIVITY.recordParts)).toHaveLength(1);
    expect(names.indexOf(ACTIVITY.recordParts)).toBe(names.length - 2);
    expect(recorded).toEqual([
      {
        jobName: "job1",
        start: 0,
        end: 7,
        parts: [0, 1, 2, 3, 4, 5, 6].map((index) => part(index, index === 4)),
      },
    ]);
  });

  it("records each chunk's parts once, at the chunk's end", async () => {
    const { acts, recorded } = recordingActivities(10);
    const run = await runOrchestration({
      orchestrations,
      activities: acts,
      name: ORCHESTRATION.job,
      input: jobInput({ chunkSize: 4, window: 3 }),
    });
    expect(run.root.runtimeStatus).toBe("Completed");
    expect(recorded.map(({ start, end, parts }) => [start, end, parts.map((p) => p.index)])).toEqual([
      [0, 4, [0, 1, 2, 3]],
      [4, 8, [4, 5, 6, 7]],
      [8, 10, [8, 9]],
    ]);
  });

  it("records the parts that ran when a cancel stops the range, and none of those not run", async () => {
    const { acts, recorded } = recordingActivities(9, (ref) =>
      ref.index >= 4
        ? { index: ref.index, succeededItems: 0, failedItems: 0, rows: 0, canceled: true }
        : undefined,
    );
    const run = await runOrchestration({
      orchestrations,
      activities: acts,
      name: ORCHESTRATION.job,
      input: jobInput(),
    });
    expect(run.root.output).toMatchObject({ status: "Canceled" });
    expect(recorded.map(({ start, end, parts }) => [start, end, parts.map((p) => p.index)])).toEqual([
      [0, 9, [0, 1, 2, 3]],
    ]);
  });

  it("schedules no recordParts for outcomes without part records (histories written before range records)", async () => {
    const run = await runOrchestration({
      orchestrations,
      activities: activities(5),
      name: ORCHESTRATION.job,
      input: jobInput({ chunkSize: 2 }),
    });
    expect(run.root.runtimeStatus).toBe("Completed");
    expect(run.calls.map((c) => c.name)).not.toContain(ACTIVITY.recordParts);
  });
});
