import { costPanel } from "./cost-panel.js";
import type { BenchResults } from "./results.js";
import { type Box, title, xmlText } from "./svg.js";

/**
 * bench/results/latest.svg: throughput against the limit and the naive baseline (bars, with the
 * target and the goal as marks), the overhead sweep's seconds against job size (with the linear
 * growth from the smallest job and the ≤ 20× bound), and each scenario's CPU per item, the host's
 * and Azurite's, against the single-process loop's. Plain SVG, no dependency.
 */
export function resultsChart(results: BenchResults): string {
  const width = 960;
  const height = 620;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    throughputPanel(results, { x: 20, y: 20, width: 440, height: 330 }),
    overheadPanel(results, { x: 500, y: 20, width: 440, height: 330 }),
    costPanel(results, { x: 20, y: 360, width: 920, height: 240 }),
    `<text x="20" y="${height - 6}" fill="#666" font-size="10">${xmlText(caption(results))}</text>`,
    "</svg>",
    "",
  ].join("\n");
}

function throughputPanel(results: BenchResults, box: Box): string {
  const t = results.throughput;
  const bars = [
    { label: "limit (in memory, all cores)", value: t.limit_rows_per_s, color: "#888" },
    { label: "naive baseline (one process)", value: t.baseline_rows_per_s, color: "#bbb" },
    { label: "batchfn (HTTP → Durable → Blob)", value: t.batchfn_rows_per_s, color: "#2b6cb0" },
  ];
  const marks = [
    { label: "1.2 × baseline (target)", value: 1.2 * t.baseline_rows_per_s },
    { label: "1.8 × baseline (goal)", value: 1.8 * t.baseline_rows_per_s },
  ];
  const max = Math.max(...bars.map((bar) => bar.value), ...marks.map((mark) => mark.value)) * 1.1;
  const left = box.x + 10;
  const plotWidth = box.width - 20;
  const scale = (value: number) => (plotWidth * value) / max;
  const parts = [
    title(box, `Throughput, rows/s (${t.rows.toLocaleString("en-US")} rows, ${t.files} CSV files)`),
  ];
  bars.forEach((bar, i) => {
    const y = box.y + 50 + i * 80;
    parts.push(
      `<text x="${left}" y="${y - 6}">${xmlText(bar.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${scale(bar.value).toFixed(1)}" height="34" fill="${bar.color}"/>`,
      `<text x="${(left + scale(bar.value) + 6).toFixed(1)}" y="${y + 22}">${Math.round(bar.value).toLocaleString("en-US")}</text>`,
    );
  });
  marks.forEach((mark, i) => {
    const x = (left + scale(mark.value)).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${box.y + 36}" x2="${x}" y2="${box.y + 286}" stroke="#c53030" stroke-dasharray="4 3"/>`,
      `<text x="${x}" y="${box.y + 300 + i * 14}" fill="#c53030" text-anchor="middle">${xmlText(mark.label)}</text>`,
    );
  });
  return parts.join("\n");
}

function overheadPanel(results: BenchResults, box: Box): string {
  const o = results.overhead;
  const keys = ["500", "2000", "8000"] as const;
  const points = keys.map((key) => ({ n: o.minibatches_by_key[key], s: o.seconds_by_minibatches[key] }));
  const first = points[0] ?? { n: 1, s: 0 };
  const last = points[2] ?? first;
  const linear = (n: number) => (first.s * n) / first.n;
  const maxN = last.n;
  const maxS = Math.max(...points.map((p) => p.s), linear(maxN), 20 * first.s) * 1.05;
  const left = box.x + 50;
  const bottom = box.y + box.height - 40;
  const plotWidth = box.width - 70;
  const plotHeight = box.height - 80;
  const px = (n: number) => left + (plotWidth * n) / maxN;
  const py = (s: number) => bottom - (plotHeight * s) / maxS;
  const parts = [
    title(box, `Overhead: job time vs mini-batches (script returns at once, window ${o.window})`),
    `<line x1="${left}" y1="${bottom}" x2="${left + plotWidth}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${left}" y2="${bottom - plotHeight}" stroke="#333"/>`,
    `<text x="${left + plotWidth / 2}" y="${bottom + 32}" text-anchor="middle">mini-batches</text>`,
    `<text x="${box.x + 12}" y="${bottom - plotHeight / 2}" transform="rotate(-90 ${box.x + 12} ${bottom - plotHeight / 2})" text-anchor="middle">seconds</text>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(maxN)}" y2="${py(linear(maxN))}" stroke="#888" stroke-dasharray="4 3"/>`,
    `<text x="${px(maxN) - 4}" y="${py(linear(maxN)) - 6}" fill="#666" text-anchor="end">linear from the smallest job</text>`,
    `<circle cx="${px(maxN)}" cy="${py(20 * first.s)}" r="4" fill="none" stroke="#c53030"/>`,
    `<text x="${px(maxN) - 8}" y="${py(20 * first.s) + 4}" fill="#c53030" text-anchor="end">bound: 20 × the smallest job</text>`,
    `<polyline fill="none" stroke="#2b6cb0" stroke-width="2" points="${points.map((p) => `${px(p.n).toFixed(1)},${py(p.s).toFixed(1)}`).join(" ")}"/>`,
  ];
  for (const p of points) {
    parts.push(
      `<circle cx="${px(p.n).toFixed(1)}" cy="${py(p.s).toFixed(1)}" r="4" fill="#2b6cb0"/>`,
      `<text x="${px(p.n).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${p.n}</text>`,
      `<text x="${(px(p.n) + 6).toFixed(1)}" y="${(py(p.s) + 16).toFixed(1)}">${p.s.toFixed(1)} s</text>`,
    );
  }
  return parts.join("\n");
}

function caption(results: BenchResults): string {
  const m = results.machine;
  return `${results.mode} run ${results.date.slice(0, 19)}Z · ${m.cores} cores (${m.cpu}), ${m.memory_gb} GB, Node ${m.node}`;
}
