import type { Environment } from "../../config.js";
import { ensureError } from "../../errors.js";
import type { RegisteredFunction } from "../registered-function.js";
import { type NcrontabSchedule, nextOccurrence, parseNcrontab } from "./ncrontab.js";

export interface TimerSchedulerOptions {
  functions: readonly RegisteredFunction[];
  /** `%SETTING%` schedules are read from here. */
  env: Environment;
  /** Invokes a timer function with its trigger value (JSON text of the TimerInfo). */
  invoke: (fn: RegisteredFunction, triggerValue: string) => Promise<unknown>;
  log: (level: "error", message: string) => void;
}

export interface TimerScheduler {
  start(): void;
  /** Schedules nothing more and waits for running invocations. */
  stop(): Promise<void>;
}

const MAX_WAIT_MS = 3_600_000;

interface Timer {
  fn: RegisteredFunction;
  schedule: NcrontabSchedule;
  runOnStartup: boolean;
}

/**
 * Runs `timerTrigger` functions on their NCRONTAB schedules (UTC), as the Functions host does on
 * one instance: `runOnStartup` functions once when the host starts, then at each scheduled time;
 * an invocation still running when its next time comes is not overlapped (that time is skipped).
 * Schedules are checked when the host starts: a bad one fails the start, naming the function.
 */
export function createTimerScheduler(options: TimerSchedulerOptions): TimerScheduler {
  const timers: Timer[] = options.functions
    .filter((fn) => fn.trigger.type.toLowerCase() === "timertrigger")
    .map((fn) => ({
      fn,
      schedule: parseNcrontab(resolveSetting(String(fn.trigger.options.schedule ?? ""), options.env)),
      runOnStartup: fn.trigger.options.runOnStartup === true,
    }));
  const pending = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const fire = (timer: Timer, last: Date | undefined, isPastDue: boolean) => {
    const now = new Date();
    const next = nextOccurrence(timer.schedule, now);
    const info = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: (last ?? now).toISOString(),
        Next: next.toISOString(),
        LastUpdated: now.toISOString(),
      },
      IsPastDue: isPastDue,
    };
    const run = options
      .invoke(timer.fn, JSON.stringify(info))
      .then(() => undefined)
      .catch((thrown: unknown) =>
        options.log("error", `Timer function '${timer.fn.name}' failed: ${ensureError(thrown).message}`),
      )
      .finally(() => {
        running.delete(run);
        schedule(timer, now);
      });
    running.add(run);
  };
  const schedule = (timer: Timer, last: Date | undefined) => {
    if (!stopped) wait(timer, last, nextOccurrence(timer.schedule, new Date()));
  };
  /** Waits until `at` in steps of at most an hour (timers cannot wait longer than 24.8 days). */
  const wait = (timer: Timer, last: Date | undefined, at: Date) => {
    const delay = at.getTime() - Date.now();
    const handle = setTimeout(
      () => {
        pending.delete(handle);
        if (stopped) return;
        if (delay > MAX_WAIT_MS) wait(timer, last, at);
        else fire(timer, last, Date.now() - at.getTime() > 1000);
      },
      Math.min(Math.max(0, delay), MAX_WAIT_MS),
    );
    pending.add(handle);
  };

  return {
    start() {
      for (const timer of timers) {
        if (timer.runOnStartup) fire(timer, undefined, false);
        else schedule(timer, undefined);
      }
    },
    async stop() {
      stopped = true;
      for (const handle of pending) clearTimeout(handle);
      pending.clear();
      await Promise.all(running);
    },
  };
}

function resolveSetting(value: string, env: Environment): string {
  const setting = /^%([^%]+)%$/.exec(value)?.[1];
  return setting ? (env[setting] ?? "") : value;
}
