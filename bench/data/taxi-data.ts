import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generatedFolder } from "./data-folder.js";
import { Prng } from "./prng.js";

/** The columns of the taxi-tip example's scoring files that its model reads, in order (not `tripId`). */
export const TAXI_COLUMNS = ["fareAmount", "paymentType", "passengerCount", "tripDistance", "tripTimeSecs"];

export interface TaxiDataOptions {
  files: number;
  rowsPerFile: number;
  seed?: number;
}

/**
 * Writes `files` CSV files of `rowsPerFile` NYC-like taxi trips each (the distributions of
 * examples/taxi-tip/train/generate_data.py, drawn from a seeded generator) under
 * `bench/.data/taxi-<files>x<rows>/`, and returns the folder. Files are `taxi-00001.csv`...
 */
export function taxiData(options: TaxiDataOptions): Promise<string> {
  const seed = options.seed ?? 20240917;
  const name = `taxi-${options.files}x${options.rowsPerFile}`;
  return generatedFolder(name, { ...options, seed, version: 1 }, async (dir) => {
    const prng = new Prng(seed);
    for (let file = 1; file <= options.files; file++) {
      await writeFile(join(dir, taxiFileName(file)), taxiCsv(prng, options.rowsPerFile));
    }
  });
}

/** The name of the `index`-th (from 1) generated taxi file. */
export function taxiFileName(index: number): string {
  return `taxi-${String(index).padStart(5, "0")}.csv`;
}

/** One CSV file (header + `rows` trips). */
export function taxiCsv(prng: Prng, rows: number): string {
  const lines = [TAXI_COLUMNS.join(",")];
  for (let i = 0; i < rows; i++) {
    const distance = round2(clamp(prng.lognormal(0.75, 0.75), 0.1, 40));
    const speed = clamp(prng.normal(12, 4) + 0.25 * distance, 5, 45);
    const seconds = Math.max(60, Math.round((distance / speed) * 3600 + prng.normal(0, 60)));
    const slowMinutes = Math.max(0, seconds / 60 - (distance / 12) * 60) * 0.5;
    const extra = [0, 0.5, 1][prng.pick([0.5, 0.3, 0.2])] ?? 0;
    const fare = Math.round((2.5 + 2.5 * distance + 0.5 * slowMinutes + extra) * 2) / 2;
    const payment = 1 + prng.pick([0.68, 0.29, 0.02, 0.01]);
    const passengers = 1 + prng.pick([0.7, 0.14, 0.05, 0.03, 0.05, 0.03]);
    lines.push(`${decimal(fare)},${payment},${passengers},${decimal(distance)},${seconds}`);
  }
  return `${lines.join("\n")}\n`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Two decimals without trailing zeros, as the example's generator writes them. */
function decimal(value: number): string {
  return value.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}
