import type { Sample } from "./progress-math.js";

/** The plot of completed mini-batches over time, in SVG user units. Pure. */
export interface ChartGeometry {
  /** The line's path (`M x y L x y ...`); empty without samples. */
  path: string;
  /** The area under the line, closed on the time axis. */
  area: string;
  /** Tick labels: seconds since the first sample on x, mini-batches on y. */
  xTicks: Array<{ x: number; seconds: number }>;
  yTicks: Array<{ y: number; value: number }>;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Space left of, below and above the plot for the labels. */
  left: number;
  bottom: number;
  top?: number;
  /** The y axis goes up to this (the job's mini-batch count), or to the highest sample. */
  total?: number;
}

/** Where each sample falls in the box: time on x (first to last sample), mini-batches done on y. */
export function chartGeometry(samples: readonly Sample[], box: ChartBox): ChartGeometry {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return { path: "", area: "", xTicks: [], yTicks: [] };
  const span = Math.max(1, last.at - first.at);
  const highest = Math.max(1, box.total ?? 0, ...samples.map((s) => s.miniBatches));
  const plotWidth = box.width - box.left;
  const margin = box.top ?? 0;
  const plotHeight = box.height - box.bottom - margin;
  const bottom = box.height - box.bottom;
  const x = (at: number) => round(box.left + ((at - first.at) / span) * plotWidth);
  const y = (value: number) => round(bottom - (value / highest) * plotHeight);
  const points = samples.map((s) => `${x(s.at)} ${y(s.miniBatches)}`);
  const path = `M ${points.join(" L ")}`;
  const area = `${path} L ${x(last.at)} ${bottom} L ${x(first.at)} ${bottom} Z`;
  const xTicks = [0, 0.5, 1].map((f) => ({ x: round(box.left + f * plotWidth), seconds: (f * span) / 1000 }));
  const yTicks = [0, 0.5, 1]
    .map((f) => Math.round(f * highest))
    .filter((value, index, all) => all.indexOf(value) === index)
    .map((value) => ({ y: y(value), value }));
  return { path, area, xTicks, yTicks };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
