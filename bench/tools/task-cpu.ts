import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) of one thread of this process so far, from
 * `/proc/self/task/<tid>/stat` (the main thread's tid is the pid); 0 where there is no /proc.
 * Clock ticks of 10 ms: good for spans of a second or more.
 */
export function taskCpuSeconds(tid: number): number {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of every thread of this process so far, by tid, with the thread's name. */
export function threadsCpuSeconds(): Map<number, { name: string; seconds: number }> {
  const threads = new Map<number, { name: string; seconds: number }>();
  for (const entry of readdirSync("/proc/self/task")) {
    const tid = Number(entry);
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
      threads.set(tid, { name, seconds: taskCpuSeconds(tid) });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}
