import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`), 100 on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat;
 * undefined where there is no /proc (the bench then reports no CPU figures).
 */
export function cpuSeconds(pid: number): number | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  return (Number(stat[11]) + Number(stat[12])) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of a process and everything it started: its own threads, its children that ended
 * (`cutime`/`cstime`) and the live descendants (the Python pool's processes), so that a host that
 * scores in child processes is measured whole. Undefined where there is no /proc.
 */
export function treeCpuSeconds(pid: number): number | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  const own = (Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])) / TICKS_PER_SECOND;
  return childPids(pid).reduce((sum, child) => sum + (treeCpuSeconds(child) ?? 0), own);
}

/**
 * CPU seconds of a process's main thread alone (its JavaScript event loop, where the host's
 * orchestration, activities and storage calls run), from /proc/<pid>/task/<pid>/stat.
 */
export function mainThreadCpuSeconds(pid: number): number | undefined {
  const stat = readStat(pid, `/proc/${pid}/task/${pid}/stat`);
  if (!stat) return undefined;
  return (Number(stat[11]) + Number(stat[12])) / TICKS_PER_SECOND;
}

/** The ids of the running processes whose parent is `parent` (Linux only; empty elsewhere). */
export function childPids(parent: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => Number(readStat(pid)?.[1]) === parent);
}

/** The command line of a process (arguments joined by spaces), or "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime. */
function readStat(pid: number, file = `/proc/${pid}/stat`): string[] | undefined {
  try {
    const text = readFileSync(file, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}
