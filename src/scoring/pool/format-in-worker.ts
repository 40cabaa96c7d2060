import type { OutputPiece } from "../../io/output/output-pieces.js";
import type { RunResult, ScoredRow } from "../../io/output/scored-rows.js";
import type { MiniBatchInput } from "../runtime.js";

/**
 * Writes a mini-batch's rows as output pieces inside the worker, so that formatting runs on every
 * worker at once and a few strings (or Parquet bytes) cross the thread boundary instead of a
 * structured clone of every row. Only rows that are strings or records of primitive values are
 * written here; for anything else (dates, nested objects, values a structured clone would change or
 * refuse) and for rows the format refuses, it returns undefined and the engine writes the rows
 * itself, as before, so the output and the errors are the same either way. The writer is loaded on
 * first use: a pool asked for rows only never loads the output code.
 */
export async function formatInWorker(
  result: RunResult,
  input: MiniBatchInput,
): Promise<OutputPiece[] | undefined> {
  const request = input.output;
  if (!request || !result.rows.every(isPlainRow)) return undefined;
  const { piecesFromRecords } = await outputPieces();
  const only = input.files.length === 1 ? input.files[0]?.name : undefined;
  try {
    return piecesFromRecords(result.rows, request, {
      miniBatch: input.index,
      ...(only === undefined ? {} : { onlyFile: only }),
    });
  } catch {
    return undefined;
  }
}

/**
 * The output writer's module, imported once per worker: a dynamic `import()` of a module already
 * loaded still costs a loader round trip (0.15–0.35 ms under tsx), once per mini-batch before.
 */
let outputModule: Promise<typeof import("../../io/output/output-pieces.js")> | undefined;
function outputPieces(): Promise<typeof import("../../io/output/output-pieces.js")> {
  outputModule ??= import("../../io/output/output-pieces.js");
  return outputModule;
}

function isPlainRow(row: ScoredRow): boolean {
  if (typeof row === "string") return true;
  if (Object.getPrototypeOf(row) !== Object.prototype) return false;
  for (const key in row) {
    const value = row[key];
    const type = typeof value;
    if (
      value !== null &&
      type !== "string" &&
      type !== "number" &&
      type !== "boolean" &&
      type !== "undefined"
    )
      return false;
  }
  return true;
}
