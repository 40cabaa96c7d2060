import { z } from "zod";
import type { ErrorDetail } from "../errors.js";
import {
  caseInsensitive,
  checkAssetPath,
  compact,
  isMapping,
  readAssetVersion,
  schemaUrl,
} from "./fields.js";
import { pathText } from "./names.js";
import { readDocument } from "./parse-document.js";
import { assetName, assetVersion, type DataAsset, dataAssetSchema, dataType, tags } from "./resources.js";
import { type DocumentOptions, invalidDocument, toCanonical, validate } from "./spec-validation.js";

/** A data asset file (`az ml data create --file`): a file or a folder of input data. */
const dataDocumentInput = z.strictObject({
  $schema: schemaUrl,
  name: assetName,
  version: assetVersion.optional(),
  type: caseInsensitive(dataType).optional(),
  path: pathText.optional(),
  local_path: pathText.optional(),
  description: z.string().optional(),
  tags: tags.optional(),
});

export interface ParsedDataAsset {
  data: DataAsset;
  warnings: string[];
}

/**
 * Parses a data asset document (YAML text or an object) into the canonical `DataAsset`
 * (`local_path` becomes `path`, `type` defaults to `uri_folder`).
 */
export function parseDataDocument(input: unknown, options: DocumentOptions = {}): ParsedDataAsset {
  const document = readDocument(input, "data asset", options);
  const checked = validate(dataDocumentInput, document);
  const problems: ErrorDetail[] = checked.ok ? [] : [...checked.details];
  if (isMapping(document)) checkAssetPath(document, "", problems);
  if (!checked.ok || problems.length > 0) throw invalidDocument("data asset", problems, options);
  const warnings: string[] = [];
  const { name, type, description, tags } = checked.value;
  const version = readAssetVersion(checked.value.version, "", warnings);
  const path = checked.value.path ?? checked.value.local_path;
  const data = toCanonical(
    dataAssetSchema,
    compact({ name, version, type, path, description, tags }),
    "",
    problems,
  );
  if (!data) throw invalidDocument("data asset", problems, options);
  return { data, warnings };
}
