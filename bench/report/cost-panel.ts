import type { ItemCost } from "../scenarios/item-cost.js";
import type { BenchResults } from "./results.js";
import { type Box, title, xmlText } from "./svg.js";

/**
 * CPU per item of each scenario that has a single-process loop, as stacked bars of the host's CPU
 * (the app, its workers and processes) and Azurite's, each divided by the loop's CPU per item (the
 * dashed line at 1 is the loop); the labels give the absolute figures and the storage requests.
 */
export function costPanel(results: BenchResults, box: Box): string {
  const scenarios: Array<{ label: string; cost: ItemCost }> = [
    { label: "taxi (no-code ONNX)", cost: results.throughput.cost },
    { label: "digits (TS script)", cost: results.digits.cost },
    { label: "sklearn (Python MLflow)", cost: results.python.sklearn.cost },
    { label: "digits (Python script)", cost: results.python.digits.cost },
  ];
  const relative = scenarios.map(({ label, cost }) => {
    const loop = cost.baseline_cpu_us_per_item ?? Number.NaN;
    return {
      label,
      cost,
      host: cost.host_cpu_us_per_item / loop,
      azurite: cost.azurite_cpu_us_per_item / loop,
    };
  });
  const finite = (value: number) => (Number.isFinite(value) ? value : 0);
  const max = Math.max(1, ...relative.map((bar) => finite(bar.host) + finite(bar.azurite))) * 1.05;
  const left = box.x + 170;
  const plotWidth = box.width - 190;
  const scale = (value: number) => (plotWidth * finite(value)) / max;
  const parts = [
    title(box, "CPU per item: host (blue) + Azurite (gray), as multiples of the single-process loop's"),
  ];
  relative.forEach((bar, i) => {
    const y = box.y + 34 + i * 46;
    const hostWidth = scale(bar.host);
    parts.push(
      `<text x="${box.x + 10}" y="${y + 15}">${xmlText(bar.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${hostWidth.toFixed(1)}" height="20" fill="#2b6cb0"/>`,
      `<rect x="${(left + hostWidth).toFixed(1)}" y="${y}" width="${scale(bar.azurite).toFixed(1)}" height="20" fill="#aaa"/>`,
      `<text x="${left}" y="${y + 34}" fill="#444" font-size="11">${xmlText(costLabel(bar.cost, bar.host))}</text>`,
    );
  });
  const one = (left + scale(1)).toFixed(1);
  parts.push(
    `<line x1="${one}" y1="${box.y + 26}" x2="${one}" y2="${box.y + 34 + relative.length * 46}" stroke="#c53030" stroke-dasharray="4 3"/>`,
    `<text x="${one}" y="${box.y + 46 + relative.length * 46}" fill="#c53030" text-anchor="middle">the loop's CPU per item</text>`,
  );
  return parts.join("\n");
}

function costLabel(cost: ItemCost, hostRelative: number): string {
  const micro = cost.item === "row";
  const unit = micro ? "µs" : "ms";
  const value = (us: number | undefined) => (us === undefined ? "n/a" : (micro ? us : us / 1000).toFixed(2));
  return `host ${value(cost.host_cpu_us_per_item)} + Azurite ${value(cost.azurite_cpu_us_per_item)} ${unit}/${cost.item} (loop ${value(cost.baseline_cpu_us_per_item)}; host ${hostRelative.toFixed(2)}×); ${cost.requests_per_minibatch.toFixed(1)} requests per mini-batch`;
}
