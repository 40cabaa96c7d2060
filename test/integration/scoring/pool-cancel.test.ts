import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { bundledFixture, fixturePool, inputFiles, miniBatch } from "./scoring-fixtures.js";

async function caught(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the mini-batch to fail");
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const ticks = async (file: string) => (await readFile(`${file}.ticks`, "utf8")).length;

describe("canceling mini-batches in the thread pool", () => {
  it("ends the worker of a running attempt at once and drops its result; the pool goes on", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("misbehaving", "score.ts") });
    const before = await pool.run(miniBatch(0, await inputFiles({ "a.txt": "score" })));
    const [ticking] = await inputFiles({ "t.txt": "tick" });
    if (ticking === undefined) throw new Error("no input file");
    const cancel = new AbortController();
    const running = caught(pool.run(miniBatch(1, [ticking]), { signal: cancel.signal }));
    await waitFor(() => existsSync(`${ticking}.ticks`));
    const canceledAt = Date.now();
    cancel.abort();
    const error = await running;
    expect(Date.now() - canceledAt).toBeLessThan(1000);
    expect(error.code).toBe("MiniBatchCanceled");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      "Mini-batch 1 (attempt 1) was stopped because the job was canceled; its worker was ended and its rows dropped",
    );
    // the thread no longer runs: its ticks stop
    const stopped = await ticks(ticking);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await ticks(ticking)).toBe(stopped);
    const after = await pool.run(miniBatch(2, await inputFiles({ "b.txt": "score" })));
    expect(after.result.rows[0]).toMatchObject({ file: "b.txt", inits: 1 });
    expect(after.result.rows[0]).not.toMatchObject({
      instance: (before.result.rows[0] as { instance: string }).instance,
    });
  });

  it("never starts a queued attempt whose job was canceled, nor one canceled before it was run", async () => {
    const { pool } = await fixturePool({ script: await bundledFixture("misbehaving", "score.ts") });
    const [ticking] = await inputFiles({ "busy.txt": "tick" });
    const [queuedFile] = await inputFiles({ "queued.txt": "tick" });
    if (ticking === undefined || queuedFile === undefined) throw new Error("no input file");
    const first = new AbortController();
    const second = new AbortController();
    const busy = caught(pool.run(miniBatch(0, [ticking]), { signal: first.signal }));
    await waitFor(() => existsSync(`${ticking}.ticks`));
    const queued = caught(pool.run(miniBatch(1, [queuedFile]), { signal: second.signal }));
    second.abort();
    const notStarted = await queued;
    expect(notStarted.code).toBe("MiniBatchCanceled");
    expect(notStarted.message).toBe("Mini-batch 1 (attempt 1) was not started because the job was canceled");
    first.abort();
    expect((await busy).code).toBe("MiniBatchCanceled");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(`${queuedFile}.ticks`)).toBe(false);

    const already = new AbortController();
    already.abort();
    const never = await caught(
      pool.run(miniBatch(2, await inputFiles({ "c.txt": "score" })), { signal: already.signal }),
    );
    expect(never.code).toBe("MiniBatchCanceled");
    expect(never.logs).toContainEqual(
      expect.objectContaining({ level: "warning", miniBatch: 2, message: never.message }),
    );
  });
});
