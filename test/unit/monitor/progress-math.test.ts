import { describe, expect, it } from "vitest";
import {
  addSample,
  averageRate,
  currentRate,
  MAX_SAMPLES,
  type Sample,
  timeLeft,
} from "../../../src/monitor/progress-math.js";

const at = (seconds: number, miniBatches: number, items = miniBatches * 10): Sample => ({
  at: 1_000_000 + seconds * 1000,
  miniBatches,
  items,
});

describe("the rate and time left of a running job", () => {
  it("measures the rate over the last 30 s, from the last sample at or before the window", () => {
    const samples = [at(0, 0), at(10, 5), at(40, 20), at(50, 30), at(70, 50)];
    // window start 40 s: base is the sample at 40 s (20 mini-batches) → 30 in 30 s
    expect(currentRate(samples)).toEqual({ miniBatches: 1, items: 10 });
    // a job that paused shows it: nothing new in the last 30 s
    expect(currentRate([...samples, at(100, 50)])).toEqual({ miniBatches: 0, items: 0 });
  });

  it("uses every sample while they span less than the window, and knows nothing under a second", () => {
    expect(currentRate([at(0, 0), at(4, 2, 8)])).toEqual({ miniBatches: 0.5, items: 2 });
    expect(currentRate([at(0, 0), at(0.5, 2)])).toBeUndefined();
    expect(currentRate([at(0, 0)])).toBeUndefined();
    expect(currentRate([])).toBeUndefined();
  });

  it("computes the time left from what remains and the rate", () => {
    expect(timeLeft(30, 2)).toBe(15);
    expect(timeLeft(0, undefined)).toBe(0);
    expect(timeLeft(10, 0)).toBeUndefined();
    expect(timeLeft(10, undefined)).toBeUndefined();
  });

  it("averages a finished job's rate over its run", () => {
    expect(averageRate(120, "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z")).toBe(2);
    expect(averageRate(120, undefined, "2026-01-01T00:01:00Z")).toBeUndefined();
    expect(averageRate(5, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")).toBeUndefined();
  });
});

describe("the samples the chart draws", () => {
  it("keeps a plateau as its first and last moment and ignores samples from the past", () => {
    let samples: Sample[] = [];
    for (const sample of [at(0, 0), at(1, 2), at(2, 2), at(3, 2), at(4, 5), at(3.5, 9)]) {
      samples = addSample(samples, sample);
    }
    expect(samples).toEqual([at(0, 0), at(1, 2), at(3, 2), at(4, 5)]);
  });

  it("thins out old samples past the limit, keeping the first and the newest", () => {
    let samples: Sample[] = [];
    for (let i = 0; i <= MAX_SAMPLES; i += 1) samples = addSample(samples, at(i, i));
    expect(samples.length).toBeLessThanOrEqual(MAX_SAMPLES);
    expect(samples[0]).toEqual(at(0, 0));
    expect(samples.at(-1)).toEqual(at(MAX_SAMPLES, MAX_SAMPLES));
    expect(samples.map((s) => s.at)).toEqual([...samples.map((s) => s.at)].sort((a, b) => a - b));
  });
});
