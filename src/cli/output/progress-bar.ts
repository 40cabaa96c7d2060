import type { StatusLine } from "./status-line.js";

/** A bar of work done out of a known total (bytes uploaded, files downloaded). */
export interface ProgressBar {
  update(done: number): void;
  finish(): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

/**
 * A progress bar on a status line: `label [######------] 45% 1.2 MB/2.7 MB`. On a terminal it is
 * redrawn at most ten times a second; as plain lines it is printed at 0, 25, 50, 75 and 100 %.
 */
export function createProgressBar(
  line: StatusLine,
  options: { label: string; total: number; unit: "bytes" | "files" },
): ProgressBar {
  const { label, total, unit } = options;
  let lastDraw = 0;
  let lastStep = -1;
  const text = (done: number) => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * WIDTH);
    const amount = unit === "bytes" ? `${formatBytes(done)}/${formatBytes(total)}` : `${done}/${total} files`;
    return `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}% ${amount}`;
  };
  const update = (done: number, force: boolean) => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    if (line.mode === "lines") {
      const step = Math.floor(fraction * 4);
      if (step === lastStep && !force) return;
      lastStep = step;
    } else {
      const now = Date.now();
      if (!force && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
    }
    line.show(text(done));
  };
  update(0, true);
  return {
    update: (done) => update(done, false),
    finish() {
      update(total, true);
      line.end();
    },
  };
}

/** `1536` → `1.5 kB` (powers of 1000, like most tools print sizes). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
