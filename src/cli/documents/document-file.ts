import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { errors } from "../../errors.js";
import { isMapping } from "../../spec/fields.js";
import { readDocument } from "../../spec/parse-document.js";
import type { DocumentKind } from "../../spec/spec-validation.js";
import { applySetValues, parseSetValues } from "../set-values.js";

/** A resource document as the CLI sends it, and the folder its relative paths start from. */
export interface LoadedDocument {
  document: Record<string, unknown>;
  /** The file's folder, or the working directory when there is no file. */
  dir: string;
  /** The file as given, for messages. */
  source?: string;
}

/**
 * Reads a YAML (or JSON) document file, as `az ml ... --file` does, then applies `--set` values;
 * without a file the document is `base` (or empty). `InputNotFound` for a missing file, `InvalidSpec`
 * (with line and column) for a file that is not YAML or not a mapping.
 */
export async function loadDocument(options: {
  file?: string;
  kind: DocumentKind;
  cwd: string;
  set?: readonly string[];
  /** The document without a file (a resource as the server shows it, for an update); default empty. */
  base?: Record<string, unknown>;
}): Promise<LoadedDocument> {
  const { file, kind, cwd } = options;
  let document: Record<string, unknown> = options.base ?? {};
  let dir = cwd;
  if (file !== undefined) {
    const absolute = resolve(cwd, file);
    const text = await readFile(absolute, "utf8").catch(() => undefined);
    if (text === undefined)
      throw errors.inputNotFound(`File '${file}' (--file) does not exist or cannot be read.`);
    const value = readDocument(text, kind, { source: file });
    if (!isMapping(value)) {
      throw errors.invalidSpec(
        `Invalid ${kind} document (${file}): it must be a mapping of keys to values.`,
        [],
      );
    }
    document = value;
    dir = dirname(absolute);
  }
  applySetValues(document, parseSetValues(options.set ?? []));
  return { document, dir, source: file };
}

/**
 * Takes a name from a flag (`--name`, `--endpoint-name`) into the document, where it wins over the
 * file's, as in az.
 */
export function overrideField(
  document: Record<string, unknown>,
  field: string,
  value: string | undefined,
): void {
  if (value !== undefined) document[field] = value;
}

/** A text field of the document, if it is one. */
export function textField(document: Record<string, unknown>, field: string): string | undefined {
  const value = document[field];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
