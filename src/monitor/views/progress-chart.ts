import { chartGeometry } from "../chart-geometry.js";
import { svg } from "../dom.js";
import { formatDuration } from "../format.js";
import type { Sample } from "../progress-math.js";

const BOX = { width: 720, height: 200, left: 44, bottom: 24, top: 12 };

/** Completed mini-batches over time as an inline SVG line chart, with a text alternative. */
export function progressChart(samples: readonly Sample[], total: number | undefined): SVGSVGElement {
  const geometry = chartGeometry(samples, { ...BOX, total });
  const first = samples[0];
  const last = samples.at(-1);
  const summary =
    first && last
      ? `Completed mini-batches over time: ${last.miniBatches} after ${formatDuration((last.at - first.at) / 1000)}`
      : "Completed mini-batches over time: no progress yet";
  const plotBottom = BOX.height - BOX.bottom;
  return svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${BOX.width} ${BOX.height}`,
      role: "img",
      "aria-label": summary,
    },
    svg("title", {}, summary),
    ...geometry.yTicks.flatMap((tick) => [
      svg("line", { class: "grid", x1: BOX.left, x2: BOX.width, y1: tick.y, y2: tick.y }),
      svg(
        "text",
        { class: "tick", x: BOX.left - 6, y: tick.y + 4, "text-anchor": "end" },
        String(tick.value),
      ),
    ]),
    ...geometry.xTicks.map((tick, index) =>
      svg(
        "text",
        {
          class: "tick",
          x: tick.x,
          y: BOX.height - 6,
          "text-anchor": index === 0 ? "start" : index === geometry.xTicks.length - 1 ? "end" : "middle",
        },
        formatDuration(tick.seconds),
      ),
    ),
    svg("line", { class: "axis", x1: BOX.left, x2: BOX.width, y1: plotBottom, y2: plotBottom }),
    geometry.area ? svg("path", { class: "area", d: geometry.area }) : null,
    geometry.path ? svg("path", { class: "line", d: geometry.path }) : null,
  );
}
