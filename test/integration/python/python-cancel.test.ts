import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { instructions, pythonPool, tempDir } from "./python-fixtures.js";

async function caught(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the mini-batch to fail");
}

async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("canceling mini-batches in the Python pool", () => {
  it("kills the process of a running attempt at once, drops its result, and scores the next one in a new process", async () => {
    const markers = await tempDir("batchfn-marker-");
    const { pool } = await pythonPool({ env: { MARKER_DIR: markers } });
    const cancel = new AbortController();
    const running = caught(
      pool.run(await instructions(0, { "a.txt": "pid", "b.txt": "sleep 30" }), { signal: cancel.signal }),
    );
    const pidFile = join(markers, "a.txt.pid");
    await waitFor(() => existsSync(pidFile));
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    const canceledAt = Date.now();
    cancel.abort();
    const error = await running;
    expect(Date.now() - canceledAt).toBeLessThan(1000);
    expect(error.code).toBe("MiniBatchCanceled");
    expect(error.message).toBe(
      "Mini-batch 0 (attempt 1) was stopped because the job was canceled; its worker was ended and its rows dropped",
    );
    await waitFor(() => !alive(pid), 1000);
    const next = await pool.run(await instructions(1, { "c.txt": "ok" }));
    expect(next.result.rows).toEqual([{ file: "c.txt", model: "m-42", length: "2", score: "0.5" }]);
    expect(next.logs.map((r) => r.message)).toContain("init: model m-42, cwd behaviours");
  });

  it("drops an attempt waiting for a process without starting it", async () => {
    const markers = await tempDir("batchfn-marker-");
    const { pool } = await pythonPool({ env: { MARKER_DIR: markers } });
    const busyCancel = new AbortController();
    const busy = caught(
      pool.run(await instructions(0, { "a.txt": "pid", "b.txt": "sleep 30" }), { signal: busyCancel.signal }),
    );
    await waitFor(() => existsSync(join(markers, "a.txt.pid")));
    const queuedCancel = new AbortController();
    const queued = caught(
      pool.run(await instructions(1, { "q.txt": "pid" }), { signal: queuedCancel.signal }),
    );
    queuedCancel.abort();
    const notStarted = await queued;
    expect(notStarted.code).toBe("MiniBatchCanceled");
    expect(notStarted.message).toBe("Mini-batch 1 (attempt 1) was not started because the job was canceled");
    busyCancel.abort();
    expect((await busy).code).toBe("MiniBatchCanceled");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(join(markers, "q.txt.pid"))).toBe(false);
  });
});
