import { errors } from "../errors.js";
import type { MiniBatchFile } from "./runtime.js";

/**
 * The items a mini-batch holds, as the job counts them: one per whole file, the rows of a row-split
 * tabular file (`mini_batch_rows`).
 */
export function miniBatchItems(files: readonly MiniBatchFile[]): number {
  let items = 0;
  for (const file of files) items += file.rowCount ?? 1;
  return items;
}

/**
 * Azure ML's rule for what a scoring script's `run()` returns, the same for every runtime: at least
 * one result per input item. Fewer fails the mini-batch with a `ScriptError` that names both counts
 * (nothing of it is written; it is retried like any failed mini-batch). More are all kept as rows,
 * but the succeeded items stay the inputs' count: items count inputs, rows count results.
 */
export function reconcileResults(request: {
  files: readonly MiniBatchFile[];
  /** How many elements `run()` returned. */
  results: number;
  /** The script's name in the message (`code_configuration.scoring_script`). */
  scriptName: string;
}): { succeededItems: number } {
  const { files, results, scriptName } = request;
  const items = miniBatchItems(files);
  if (results >= items) return { succeededItems: items };
  throw errors.scriptError(
    `run() of '${scriptName}' returned ${results} results for ${items} input items (${describeInputs(files, items)}); it must return at least one element per item: one per file, or one per row of a row-split tabular file (mini_batch_rows)`,
  );
}

function describeInputs(files: readonly MiniBatchFile[], items: number): string {
  const fileCount = `${files.length} ${files.length === 1 ? "file" : "files"}`;
  return items === files.length ? fileCount : `${items} rows of ${fileCount}`;
}
