import { LineCounter, parseDocument } from "yaml";
import { type ErrorDetail, ensureError } from "../errors.js";
import { type DocumentKind, type DocumentOptions, invalidDocument } from "./spec-validation.js";

/**
 * Reads a document: a string is YAML text (JSON is YAML too), anything else is an already parsed
 * value (a REST body). Syntax errors and empty documents throw `InvalidSpec`, syntax errors with their
 * line and column.
 */
export function readDocument(input: unknown, kind: DocumentKind, options: DocumentOptions = {}): unknown {
  const value = typeof input === "string" ? readYaml(input, kind, options) : input;
  if (value === undefined || value === null) {
    throw invalidDocument(kind, [{ code: "EmptyDocument", message: "the document is empty" }], options);
  }
  return value;
}

function readYaml(text: string, kind: DocumentKind, options: DocumentOptions): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const details: ErrorDetail[] = document.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return {
      code: "YamlSyntax",
      message: `YAML syntax error at line ${line}, column ${col}: ${error.message}`,
    };
  });
  if (details.length > 0) throw invalidDocument(kind, details, options);
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    const message = `YAML error: ${ensureError(thrown).message}`;
    throw invalidDocument(kind, [{ code: "YamlSyntax", message }], options);
  }
}
