/** The tabular formats batchfn can split into row ranges. */
export type TabularFormat = "csv" | "parquet" | "jsonl";

const FORMATS: Readonly<Record<string, TabularFormat>> = {
  csv: "csv",
  parquet: "parquet",
  pqt: "parquet",
  jsonl: "jsonl",
};

/** The tabular format of an item from its extension (case-insensitive), or undefined. */
export function tabularFormatOfName(name: string): TabularFormat | undefined {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? undefined : FORMATS[base.slice(dot + 1).toLowerCase()];
}
