import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The peak resident memory of another process. On Linux it is the kernel's own high-water mark
 * (`VmHWM` in /proc/<pid>/status), exact whatever the sampling; elsewhere `ps` is sampled every
 * 100 ms and the largest value seen is kept.
 */
export class MemoryWatch {
  private readonly proc: string;
  private sampledKb = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {
    this.proc = `/proc/${pid}/status`;
    if (!existsSync(this.proc)) {
      this.timer = setInterval(() => void this.sample(), 100);
      this.timer.unref();
    }
  }

  async peakMb(): Promise<number> {
    if (this.timer === undefined) {
      const status = await readFile(this.proc, "utf8");
      const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
      if (!Number.isFinite(kb)) throw new Error(`${this.proc} has no VmHWM line`);
      return kb / 1024;
    }
    await this.sample();
    return this.sampledKb / 1024;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    try {
      const { stdout } = await run("ps", ["-o", "rss=", "-p", String(this.pid)]);
      this.sampledKb = Math.max(this.sampledKb, Number(stdout.trim()) || 0);
    } catch {
      // the process has ended: keep the last peak
    }
  }
}
