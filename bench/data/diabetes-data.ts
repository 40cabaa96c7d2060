import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../harness/host-process.js";
import { generatedFolder } from "./data-folder.js";
import { Prng } from "./prng.js";

/** The sklearn-diabetes example's held-back rows, the models for the generated ones. */
const SOURCE = join(repoRoot, "examples", "sklearn-diabetes", "train", "test-set.csv");
const COLUMNS = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"];
const INTEGERS = new Set(["age", "sex", "s1", "s6"]);

/**
 * Writes `files` CSV files of `rows` patients each (`patients-0001.csv`...) under
 * `bench/.data/diabetes-<files>x<rows>/`, in the columns of the sklearn-diabetes example's model:
 * the example's held-back rows in turn, each measurement moved by seeded noise of 2 % (whole-number
 * columns stay whole), so that every row is different and the same on every run.
 */
export function diabetesData(files: number, rows: number, seed = 20261203): Promise<string> {
  return generatedFolder(`diabetes-${files}x${rows}`, { files, rows, seed, version: 1 }, async (dir) => {
    const [header, ...lines] = (await readFile(SOURCE, "utf8")).trim().split("\n");
    const names = (header ?? "").split(",");
    const sources = lines.map((line) => {
      const cells = line.split(",");
      return COLUMNS.map((column) => Number(cells[names.indexOf(column)]));
    });
    const prng = new Prng(seed);
    let next = 0;
    for (let file = 1; file <= files; file++) {
      const out = [COLUMNS.join(",")];
      for (let row = 0; row < rows; row++) {
        const source = sources[next++ % sources.length] ?? [];
        const values = source.map((value, at) => {
          const moved = value * (1 + prng.normal(0, 0.02));
          if (COLUMNS[at] === "sex") return String(value);
          return INTEGERS.has(COLUMNS[at] ?? "") ? String(Math.round(moved)) : moved.toFixed(4);
        });
        out.push(values.join(","));
      }
      await writeFile(join(dir, `patients-${String(file).padStart(4, "0")}.csv`), `${out.join("\n")}\n`);
    }
  });
}
