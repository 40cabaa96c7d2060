/** Names in a job's output folder, and the items of errors.jsonl. Pure. */

/** `predictions.csv`, or one of its shards `predictions-00000.csv`. */
export function isPredictionsFile(name: string, fileName: string): boolean {
  if (name === fileName) return true;
  const dot = fileName.lastIndexOf(".");
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const ext = dot > 0 ? fileName.slice(dot) : "";
  if (!name.startsWith(`${stem}-`) || !name.endsWith(ext)) return false;
  return /^\d+$/.test(name.slice(stem.length + 1, name.length - ext.length));
}

/** `errors.jsonl`, or a shard of it (`errors-00000.jsonl`). */
export function isErrorsFile(name: string): boolean {
  return /^errors(-\d+)?\.jsonl$/.test(name);
}

/** The file part and the row range of an item (`data.csv rows 1-500` for a row-split item). */
export function itemParts(item: string): { file: string; rows: string } {
  const match = /^(.*) rows (\d+-\d+)$/.exec(item);
  return match ? { file: match[1] ?? item, rows: match[2] ?? "" } : { file: item, rows: "" };
}
