import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { parseCsv } from "../../src/io/tabular/csv-parser.js";

/**
 * batchfn's CSV parser against the `csv-parse` library on the same files, in a process of its own:
 *   node --import tsx bench/limits/csv-parsers.ts <folder of CSV files>
 * Every file is read into memory first; then each parser turns every file into numeric columns (a
 * Float64Array per column, what the scoring runtime needs): batchfn's `parseCsv`, and csv-parse
 * twice — records of strings converted with `Number` per cell, and its own `cast` option — one
 * thread, best of 3 passes each (more over tiny data, see below). Prints JSON with rows per second; csv-parse's figure is the
 * faster of its two ways.
 */
async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? "");
  const names = (await readdir(dir)).filter((name) => name.endsWith(".csv")).sort();
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), "utf8")));
  // at least 3 passes, and 2,000,000 rows in all, so that tiny data (quick mode) warms the JIT up too
  const lines = texts.reduce((sum, text) => sum + text.split("\n").length, 0);
  const passes = Math.max(3, Math.ceil(2_000_000 / Math.max(1, lines)));
  const best = (parseFile: (text: string, name: string) => number): number => {
    let rate = 0;
    for (let pass = 0; pass < passes; pass++) {
      const started = performance.now();
      let rows = 0;
      texts.forEach((text, i) => {
        rows += parseFile(text, names[i] ?? "");
      });
      rate = Math.max(rate, rows / ((performance.now() - started) / 1000));
    }
    return rate;
  };
  const batchfn = best((text, name) => {
    const table = parseCsv(text, name);
    if (table.columns.some((column) => column.kind !== "number")) throw new Error(`${name}: not numeric`);
    return table.rowCount;
  });
  const strings = best((text) => {
    const [header = [], ...records] = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
    return toColumns(header.length, records, (cell) => Number(cell));
  });
  const cast = best((text) => {
    const [header = [], ...records] = parse(text, {
      bom: true,
      skip_empty_lines: true,
      cast: true,
    }) as unknown[][];
    return toColumns(header.length, records, (cell) => (typeof cell === "number" ? cell : Number.NaN));
  });
  console.log(
    JSON.stringify({
      files: names.length,
      batchfn_rows_per_s: batchfn,
      csv_parse_rows_per_s: Math.max(strings, cast),
      csv_parse_strings_rows_per_s: strings,
      csv_parse_cast_rows_per_s: cast,
    }),
  );
}

/** Numeric columns of some records; returns how many rows. */
function toColumns<T>(width: number, records: T[][], toNumber: (cell: T) => number): number {
  const columns = Array.from({ length: width }, () => new Float64Array(records.length));
  records.forEach((record, row) => {
    for (let c = 0; c < width; c++) {
      const column = columns[c];
      const cell = record[c];
      if (column && cell !== undefined) column[row] = toNumber(cell);
    }
  });
  return records.length;
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
