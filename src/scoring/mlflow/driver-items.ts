import { basename, join } from "node:path";
import { BatchfnError, ensureError } from "../../errors.js";
import type { ItemFailure } from "../../io/output/scored-rows.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import type { MiniBatchFile } from "../runtime.js";
import { PARQUET_HANDOVER_SUFFIX, writeParquetHandover } from "./parquet-handover.js";

/** One file as the no-code driver's `run_files` takes it (driver/mlflow_driver.py). */
export interface DriverItem {
  path: string;
  name: string;
  rowOffset: number;
  rowCount?: number;
}

/**
 * The driver's items for a mini-batch's files. Parquet files (`.parquet`, `.pqt`) are handed over as
 * typed JSON columns first (see `writeParquetHandover`), written into `handoverDir` (an existing
 * folder the caller owns and removes); one that cannot be read fails alone with its code, counted
 * like any other failed file (its rows for a row range).
 */
export async function driverItems(
  files: readonly MiniBatchFile[],
  handoverDir: string,
): Promise<{ items: DriverItem[]; failedItems: ItemFailure[] }> {
  const items: DriverItem[] = [];
  const failedItems: ItemFailure[] = [];
  for (const [index, file] of files.entries()) {
    let path = file.path;
    if (tabularFormatOf(file.path) === "parquet") {
      path = join(handoverDir, `${index}-${basename(file.path)}${PARQUET_HANDOVER_SUFFIX}`);
      try {
        await writeParquetHandover({ source: file.path, target: path, displayName: file.name });
      } catch (thrown) {
        const error = ensureError(thrown);
        failedItems.push({
          item: file.name,
          count: file.rowCount ?? 1,
          code: error instanceof BatchfnError ? error.code : "InvalidInputFile",
          message: error.message,
        });
        continue;
      }
    }
    items.push({
      path,
      name: file.name,
      rowOffset: file.rowOffset,
      ...(file.rowCount === undefined ? {} : { rowCount: file.rowCount }),
    });
  }
  return { items, failedItems };
}
