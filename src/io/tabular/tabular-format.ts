import { sep } from "node:path";
import { errors } from "../../errors.js";
import type { TabularFormat } from "./table.js";

/** The tabular formats batchfn reads and splits into row ranges, by file extension. */
const EXTENSIONS: Readonly<Record<string, TabularFormat>> = {
  ".csv": "csv",
  ".parquet": "parquet",
  ".pqt": "parquet",
  ".jsonl": "jsonl",
};

/**
 * The tabular format of a file from its extension (case-insensitive), or undefined when not
 * tabular: the one rule for a local path, a blob name and an item name (`a/b.CSV` is csv; `.csv`,
 * a name that is only an extension, is not).
 */
export function tabularFormatOf(path: string): TabularFormat | undefined {
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf(sep)) + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? undefined : EXTENSIONS[base.slice(dot).toLowerCase()];
}

/** The tabular format of a file; throws `UnsupportedFileType` naming the file and the accepted extensions. */
export function requireTabularFormat(path: string, displayName: string = path): TabularFormat {
  const format = tabularFormatOf(path);
  if (format === undefined) {
    throw errors.unsupportedFileType(
      `File '${displayName}' is not a tabular file batchfn can read: the extension must be one of ${Object.keys(EXTENSIONS).join(", ")}.`,
    );
  }
  return format;
}
