import { sep } from "node:path";
import type { RunResult } from "../../io/output/scored-rows.js";
import type { LogRecord } from "../../spec/log-record.schema.js";

/** Rewrites host paths in text shown to invokers into names they know. */
export type Redact = (text: string) => string;

/** A host folder and what is shown in its place ("" for the mini-batch folder: items by name). */
export interface ShownFolder {
  path: string;
  shown: string;
}

/**
 * What invokers see of a failure (errors.jsonl, the job log, the job record) names items and the
 * documented folders, never this host's paths: a file of the mini-batch becomes its item name
 * (`dir/a.txt`), the model folder `$AZUREML_MODEL_DIR`, the output folder `$AZUREML_BI_OUTPUT_PATH`,
 * the scratch space `<work>`, the app's folder `<app>`. Longer folders are replaced first (the
 * model folder sits in the scratch space).
 */
export function hostPathRedactor(folders: readonly ShownFolder[]): Redact {
  const known = folders
    .filter((folder) => folder.path.length > 1)
    .map((folder) => ({ path: folder.path.replace(/[\\/]+$/, ""), shown: folder.shown }))
    .sort((a, b) => b.path.length - a.path.length);
  return (text) => {
    let result = text;
    for (const { path, shown } of known) {
      if (!result.includes(path)) continue;
      result = result
        .replaceAll(`${path}${sep}`, shown === "" ? "" : `${shown}/`)
        .replaceAll(path, shown === "" ? "." : shown);
    }
    return result;
  };
}

/** Log records with host paths rewritten in their message and their text fields (a stack). */
export function redactRecords(records: readonly LogRecord[], redact: Redact): LogRecord[] {
  return records.map((record) => {
    const redacted: LogRecord = { ...record, message: redact(record.message) };
    if (record.fields) {
      redacted.fields = Object.fromEntries(
        Object.entries(record.fields).map(([key, value]) => [
          key,
          typeof value === "string" ? redact(value) : value,
        ]),
      );
    }
    return redacted;
  });
}

/** A result whose failed items' messages have host paths rewritten. */
export function redactResult<T extends RunResult>(result: T, redact: Redact): T {
  if (result.failedItems.length === 0) return result;
  return {
    ...result,
    failedItems: result.failedItems.map((failure) => ({ ...failure, message: redact(failure.message) })),
  };
}

/** This host's own folders: the scratch space `<work>` and the app's folder `<app>`. */
export function hostFolders(workDir: string): ShownFolder[] {
  return [
    { path: workDir, shown: "<work>" },
    { path: process.cwd(), shown: "<app>" },
  ];
}
