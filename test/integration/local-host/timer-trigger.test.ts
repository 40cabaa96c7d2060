import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalHost, type LocalHost } from "../../../src/local-host/local-host.js";
import { timerTicks } from "../../fixtures/local-host-app/timer/timer-ticks.js";
import { testConfig } from "../../support/storage.js";

const appDir = fileURLToPath(new URL("../../fixtures/local-host-app/timer", import.meta.url));
let host: LocalHost;

beforeAll(async () => {
  host = createLocalHost({
    appDir,
    port: 0,
    storage: testConfig(),
    env: { LOCAL_HOST_FIXTURE_RARE: "0 0 0 1 1 *" },
    blobPollIntervalMs: 0,
    log: () => {},
  });
  await host.start();
});

afterAll(async () => {
  await host?.stop();
});

describe("timer triggers", () => {
  it("runs runOnStartup functions at start and every function on its schedule, with a TimerInfo", async () => {
    const deadline = Date.now() + 10_000;
    while (timerTicks().filter((t) => t.name === "everySecond").length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const every = timerTicks().filter((t) => t.name === "everySecond");
    expect(every.length).toBeGreaterThanOrEqual(3);
    const gaps = every.slice(1).map((t, i) => t.at - (every[i]?.at ?? 0));
    expect(gaps.every((gap) => gap > 500 && gap < 1800)).toBe(true);
    expect(every[0]?.timer).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
    expect(typeof every[0]?.timer.scheduleStatus?.next).toBe("string");
    const startup = timerTicks().filter((t) => t.name === "onStartup");
    expect(startup).toHaveLength(1);
  });

  it("stops with the host: no tick after stop", async () => {
    await host.stop();
    const count = timerTicks().length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(timerTicks().length).toBe(count);
  });
});
