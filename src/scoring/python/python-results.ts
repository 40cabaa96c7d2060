import type { RunResult, ScoredRow } from "../../io/output/scored-rows.js";
import { reconcileResults } from "../result-count.js";
import type { MiniBatchInput } from "../runtime.js";
import type { DriverResult } from "./driver-protocol.js";

/**
 * What `run()` returned, as the engine's rows, by Azure ML's contract: a DataFrame's rows become
 * records of their cells as Python prints them (`append_row` joins them with a space, `output_format:
 * csv` writes them as CSV under the column names), a list's elements their `str`. Each element
 * stands for one successful input: fewer elements than inputs fails the mini-batch
 * (`reconcileResults`, the rule of every runtime).
 */
export function pythonRunResult(answer: DriverResult, input: MiniBatchInput, scriptName: string): RunResult {
  const { succeededItems } = reconcileResults({ files: input.files, results: answer.count, scriptName });
  const rows: ScoredRow[] = answer.table ? tableRows(answer.table) : (answer.lines ?? []);
  return { rows, succeededItems, failedItems: [] };
}

function tableRows(table: NonNullable<DriverResult["table"]>): ScoredRow[] {
  const columns = uniqueNames(table.columns);
  return table.cells.map((row) => {
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
