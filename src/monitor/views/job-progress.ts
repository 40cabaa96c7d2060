import { fill, h } from "../dom.js";
import { formatDuration, formatRate } from "../format.js";
import { addSample, averageRate, currentRate, type Sample, timeLeft } from "../progress-math.js";
import type { Job } from "../wire.js";
import { progressChart } from "./progress-chart.js";

const TERMINAL = ["Completed", "Failed", "Canceled"];

/**
 * Progress bars for mini-batches and items, the rate and time left, and the chart of completed
 * mini-batches over time. The chart starts at the job's start (0 done) and adds what the page sees
 * each time it polls; a job that ended before the page opened shows its start and end.
 */
export function progressSection(): { element: HTMLElement; update(job: Job): void } {
  let samples: Sample[] = [];
  const bars = h("div", { class: "bars" });
  const rates = h("p", { class: "rates" });
  const chart = h("figure", { class: "chart-figure" });
  const element = h(
    "section",
    { "aria-labelledby": "progress-title" },
    h("h2", { id: "progress-title" }, "Progress"),
    bars,
    rates,
    chart,
  );
  return {
    element,
    update(job) {
      const p = job.progress;
      const mb = p?.mini_batches ?? { total: 0, succeeded: 0, failed: 0 };
      const items = p?.items ?? { total: 0, succeeded: 0, failed: 0 };
      const mbDone = mb.succeeded + mb.failed;
      const itemsDone = items.succeeded + items.failed;
      const ended = TERMINAL.includes(job.status);
      if (samples.length === 0 && job.started_at) {
        samples = [{ at: Date.parse(job.started_at), miniBatches: 0, items: 0 }];
      }
      const at = ended && job.finished_at ? Date.parse(job.finished_at) : Date.now();
      if (p) samples = addSample(samples, { at, miniBatches: mbDone, items: itemsDone });
      fill(
        bars,
        bar("progress-mini-batches", "Mini-batches", mbDone, mb.total, mb.failed),
        bar("progress-items", "Items", itemsDone, items.total, items.failed),
      );
      fill(rates, rateText(job, samples, { mbDone, itemsDone, itemsTotal: items.total, ended }));
      fill(
        chart,
        progressChart(samples, mb.total || undefined),
        h("figcaption", {}, "Completed mini-batches over time"),
      );
    },
  };
}

function bar(id: string, label: string, done: number, total: number, failed: number): HTMLElement {
  const text = `${done} of ${total || "?"} done${failed > 0 ? `, ${failed} failed` : ""}`;
  return h(
    "div",
    { class: "bar" },
    h("label", { for: id }, label),
    h("progress", { id, max: Math.max(total, 1), value: done, "aria-valuetext": text }),
    h("span", { class: "bar-text", "data-testid": id }, text),
  );
}

function rateText(
  job: Job,
  samples: readonly Sample[],
  counts: { mbDone: number; itemsDone: number; itemsTotal: number; ended: boolean },
): string {
  if (counts.ended) {
    const average = averageRate(counts.itemsDone, job.started_at ?? undefined, job.finished_at ?? undefined);
    const took =
      job.started_at && job.finished_at
        ? `Took ${formatDuration((Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000)}`
        : "Ended";
    return average === undefined ? took : `${took}, ${formatRate(average)} items on average.`;
  }
  const rate = currentRate(samples);
  if (!job.progress || !rate) return "Measuring the rate…";
  const left = timeLeft(counts.itemsTotal - counts.itemsDone, rate.items);
  return [
    `${formatRate(rate.items)} items`,
    `${formatRate(rate.miniBatches)} mini-batches`,
    left === undefined ? "time left unknown" : `about ${formatDuration(left)} left`,
  ].join(" · ");
}
