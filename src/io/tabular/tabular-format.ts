import { extname } from "node:path";
import { errors } from "../../errors.js";
import type { TabularFormat } from "./table.js";

const EXTENSIONS: Readonly<Record<string, TabularFormat>> = {
  ".csv": "csv",
  ".parquet": "parquet",
  ".pqt": "parquet",
  ".jsonl": "jsonl",
};

/** The tabular format of a file from its extension (case-insensitive), or undefined when not tabular. */
export function tabularFormatOf(path: string): TabularFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
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
