import { describe, expect, it } from "vitest";
import { chartGeometry } from "../../../src/monitor/chart-geometry.js";
import { formatBytes, formatCounts, formatDuration, formatRate } from "../../../src/monitor/format.js";
import { isErrorsFile, isPredictionsFile, itemParts } from "../../../src/monitor/output-files.js";
import { parseRoute, routeHash } from "../../../src/monitor/routes.js";

describe("the monitor's routes", () => {
  it("reads and writes the fragment of each place", () => {
    expect(parseRoute("")).toEqual({ view: "jobs", page: 1 });
    expect(parseRoute("#/jobs?status=Failed&endpoint=taxi&page=3")).toEqual({
      view: "jobs",
      status: "Failed",
      endpoint: "taxi",
      page: 3,
    });
    expect(parseRoute("#/jobs?page=-2")).toEqual({ view: "jobs", page: 1 });
    expect(parseRoute("#/jobs/a%2Fb")).toEqual({ view: "job", name: "a/b" });
    expect(parseRoute("#/endpoints")).toEqual({ view: "endpoints" });
    expect(parseRoute("#/nowhere")).toEqual({ view: "jobs", page: 1 });
    for (const hash of ["#/jobs", "#/jobs?status=Running&page=2", "#/jobs/taxi-1", "#/endpoints"]) {
      expect(routeHash(parseRoute(hash))).toBe(hash);
    }
  });
});

describe("how the monitor writes figures", () => {
  it("writes sizes, durations, rates and counts", () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(50 * 1024 * 1024)]).toEqual([
      "512 B",
      "1.5 KB",
      "50 MB",
    ]);
    expect([formatDuration(45), formatDuration(185), formatDuration(7620)]).toEqual([
      "45 s",
      "3 min 05 s",
      "2 h 07 min",
    ]);
    expect([formatRate(1204.4), formatRate(12.54), formatRate(0.254)]).toEqual([
      "1,204/s",
      "12.5/s",
      "0.25/s",
    ]);
    expect([formatCounts(3, 10, 0), formatCounts(3, 10, 1)]).toEqual(["3 / 10", "3 / 10 (1 failed)"]);
  });
});

describe("the names in a job's output folder", () => {
  it("recognises the predictions file and its shards, and errors.jsonl and its shards", () => {
    expect(isPredictionsFile("predictions.csv", "predictions.csv")).toBe(true);
    expect(isPredictionsFile("predictions-00001.csv", "predictions.csv")).toBe(true);
    expect(isPredictionsFile("predictions-old.csv", "predictions.csv")).toBe(false);
    expect(isPredictionsFile("job_summary.json", "predictions.csv")).toBe(false);
    expect([
      isErrorsFile("errors.jsonl"),
      isErrorsFile("errors-00002.jsonl"),
      isErrorsFile("errors.json"),
    ]).toEqual([true, true, false]);
  });

  it("splits a row-range item into its file and rows", () => {
    expect(itemParts("data/trips.csv rows 1-500")).toEqual({ file: "data/trips.csv", rows: "1-500" });
    expect(itemParts("bad-6.txt")).toEqual({ file: "bad-6.txt", rows: "" });
  });
});

describe("the chart of completed mini-batches", () => {
  const box = { width: 200, height: 110, left: 0, bottom: 10, top: 0, total: 10 };

  it("puts time on x from the first to the last sample and mini-batches on y up to the total", () => {
    const geometry = chartGeometry(
      [
        { at: 0, miniBatches: 0, items: 0 },
        { at: 5000, miniBatches: 5, items: 50 },
        { at: 10_000, miniBatches: 10, items: 100 },
      ],
      box,
    );
    expect(geometry.path).toBe("M 0 100 L 100 50 L 200 0");
    expect(geometry.area).toBe("M 0 100 L 100 50 L 200 0 L 200 100 L 0 100 Z");
    expect(geometry.xTicks.map((t) => t.seconds)).toEqual([0, 5, 10]);
    expect(geometry.yTicks).toEqual([
      { y: 100, value: 0 },
      { y: 50, value: 5 },
      { y: 0, value: 10 },
    ]);
  });

  it("draws nothing without samples", () => {
    expect(chartGeometry([], box)).toEqual({ path: "", area: "", xTicks: [], yTicks: [] });
  });
});
