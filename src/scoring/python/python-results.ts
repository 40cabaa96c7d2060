import { errors } from "../../errors.js";
import type { MiniBatchInput, RunResult, ScoredRow } from "../runtime.js";
import type { DriverResult } from "./driver-protocol.js";

/**
 * What `run()` returned, as the engine's rows, by Azure ML's contract: a DataFrame's rows become
 * records of their cells as Python prints them (`append_row` joins them with a space, `output_format:
 * csv` writes them as CSV under the column names), a list's elements their `str`. Each element
 * stands for one successful input: fewer elements than inputs fails the mini-batch.
 */
export function pythonRunResult(answer: DriverResult, input: MiniBatchInput, scriptName: string): RunResult {
  const inputs = input.files.length;
  if (answer.count < inputs) {
    throw errors.scriptError(
      `run() of '${scriptName}' returned ${answer.count} results for ${inputs} inputs; it must return one element (a DataFrame row or a list item) per successful input`,
    );
  }
  const rows: ScoredRow[] = answer.table ? tableRows(answer.table) : (answer.lines ?? []);
  const succeededItems = input.files.reduce((sum, file) => sum + (file.rowCount ?? 1), 0);
  return { rows, succeededItems, failedItems: [] };
}

function tableRows(table: NonNullable<DriverResult["table"]>): ScoredRow[] {
  const columns = uniqueNames(table.columns);
  const { cells } = table;
  return cells.map((row) => {
    const record: Record<string, string> = {};
    for (let c = 0; c < columns.length; c++) record[columns[c] as string] = row[c] ?? "";
    return record;
  });
}

/** Column names made unique as pandas reads them back (`a`, `a.1`), so no cell is lost. */
function uniqueNames(columns: string[]): string[] {
  const seen = new Set<string>();
  return columns.map((name) => {
    let unique = name;
    for (let n = 1; seen.has(unique); n++) unique = `${name}.${n}`;
    seen.add(unique);
    return unique;
  });
}
