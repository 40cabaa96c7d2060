import { parse } from "yaml";
import { errors } from "../errors.js";
import { isMapping, join } from "./fields.js";

const URI = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Replaces the local conda file paths of a Python deployment as written (`environment.conda_file`,
 * 2021 `conda_file`) by the files' content, so the server, which cannot read the caller's disk,
 * can check the packages they name. `read` gives a path's text (relative to the document's folder).
 * A file that cannot be read or parsed is refused with `InvalidReference` naming the field.
 */
export async function inlineCondaFiles(
  document: Record<string, unknown>,
  read: (path: string) => Promise<string>,
  prefix = "",
): Promise<void> {
  const code = isMapping(document.code_configuration) ? document.code_configuration : {};
  const script = typeof code.scoring_script === "string" ? code.scoring_script : "";
  if (!script.toLowerCase().endsWith(".py")) return;
  const holders: Array<[Record<string, unknown>, string]> = [[document, "conda_file"]];
  if (isMapping(document.environment)) holders.push([document.environment, "environment.conda_file"]);
  for (const [holder, field] of holders) {
    const path = holder.conda_file;
    if (typeof path !== "string" || URI.test(path)) continue;
    let text: string;
    try {
      text = await read(path);
    } catch (thrown) {
      const reason = thrown instanceof Error ? thrown.message : String(thrown);
      throw errors.invalidReference(`${join(prefix, field)} '${path}' cannot be read: ${reason}`);
    }
    let content: unknown;
    try {
      content = parse(text);
    } catch (thrown) {
      const reason = thrown instanceof Error ? thrown.message : String(thrown);
      throw errors.invalidReference(`${join(prefix, field)} '${path}' is not a YAML conda file: ${reason}`);
    }
    if (!isMapping(content)) {
      throw errors.invalidReference(
        `${join(prefix, field)} '${path}' is not a conda file (a mapping with dependencies:)`,
      );
    }
    holder.conda_file = content;
  }
}
