import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";

/** The repository's `examples/` folder. */
export const examplesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "examples");

/** A path inside `examples/`. */
export function examplePath(...parts: string[]): string {
  return join(examplesDir, ...parts);
}

/** A CSV file of numbers with a header row, as columns by name. */
export interface NumericCsv {
  header: string[];
  rows: number[][];
  column(name: string): number[];
}

/** Reads a headed CSV file whose cells are all numbers (no quoting); throws on any other cell. */
export async function readNumericCsv(path: string): Promise<NumericCsv> {
  const lines = (await readFile(path, "utf8")).split("\n").filter((line) => line.length > 0);
  const header = (lines[0] ?? "").split(",");
  const rows = lines.slice(1).map((line, index) => {
    const cells = line.split(",").map(Number);
    if (cells.length !== header.length || cells.some((cell) => !Number.isFinite(cell))) {
      throw new Error(`${path}: row ${index + 1} is not ${header.length} numbers: '${line}'`);
    }
    return cells;
  });
  return {
    header,
    rows,
    column(name: string) {
      const at = header.indexOf(name);
      if (at < 0) throw new Error(`${path}: no column '${name}' in [${header.join(", ")}]`);
      return rows.map((row) => row[at] ?? Number.NaN);
    },
  };
}

/** Reads a JSON file through a schema. */
export async function readJson<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
  return schema.parse(JSON.parse(await readFile(path, "utf8")));
}

/** Reads a YAML file through a schema. */
export async function readYaml<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
  return schema.parse(parseYaml(await readFile(path, "utf8")));
}
