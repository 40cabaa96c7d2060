/** One row of `-o table`: column name → cell text. */
export type TableRow = Record<string, string>;

/**
 * Renders rows as `az -o table` does: a header of the column names (every column any row has, in
 * the order first seen), a line of dashes, then one padded line per row.
 */
export function renderTable(rows: readonly TableRow[]): string {
  const columns: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  if (columns.length === 0) return "";
  const headers = columns.map(headerOf);
  const widths = columns.map((column, index) =>
    Math.max(headers[index]?.length ?? 0, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    line(headers),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map((row) => line(columns.map((column) => row[column] ?? ""))),
  ]
    .map((text) => `${text}\n`)
    .join("");
}

/** `provisioning_state` → `ProvisioningState`, as az titles its columns. */
function headerOf(key: string): string {
  return key
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join("");
}
