import { h } from "../dom.js";
import { itemParts } from "../output-files.js";
import { type ErrorLine, errorLineSchema } from "../wire.js";

/** The failed items of errors.jsonl as a table; while the job runs, how many failed so far. */
export function errorsTable(options: {
  lines: readonly string[];
  failed: number;
  ended: boolean;
}): HTMLElement {
  const { lines, failed, ended } = options;
  if (!ended) {
    return h(
      "p",
      { class: failed > 0 ? "notice error" : "help" },
      `${failed} item${failed === 1 ? "" : "s"} failed so far; the failed items are listed here from errors.jsonl when the job ends.`,
    );
  }
  const rows = lines.map(readErrorLine);
  if (rows.length === 0) return h("p", { class: "help" }, "No item failed.");
  const cell = (value: string | number | undefined) => h("td", {}, value === undefined ? "" : String(value));
  return h(
    "div",
    {},
    failed > rows.length
      ? h(
          "p",
          { class: "help" },
          `The first ${rows.length} of ${failed} failed items (download errors.jsonl for all).`,
        )
      : null,
    h(
      "table",
      { class: "errors" },
      h("caption", { class: "visually-hidden" }, "Failed items"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["File", "Rows", "Mini-batch", "Attempt", "Code", "Message"].map((t) =>
            h("th", { scope: "col" }, t),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...rows.map((row) => {
          const { file, rows: range } = itemParts(row.item);
          return h(
            "tr",
            {},
            cell(file),
            cell(range),
            cell(row.mini_batch),
            cell(row.attempt),
            cell(row.code),
            h("td", { class: "message" }, row.message),
          );
        }),
      ),
    ),
  );
}

function readErrorLine(text: string): ErrorLine {
  try {
    const parsed = errorLineSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: shown as it is
  }
  return { item: "", message: text };
}
