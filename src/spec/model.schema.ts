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
import { assetName, assetVersion, type Model, modelSchema, modelType, tags } from "./resources.js";
import { type DocumentOptions, invalidDocument, toCanonical, validate } from "./spec-validation.js";

/** The fields of a model as written, in a model file or inline in a deployment. */
const modelFields = {
  name: assetName,
  version: assetVersion.optional(),
  type: caseInsensitive(modelType).optional(),
  path: pathText.optional(),
  local_path: pathText.optional(),
  description: z.string().optional(),
  tags: tags.optional(),
};

/** A model written inline in a deployment: `model: {name, version, path | local_path, type}`. */
export const inlineModelInput = z.strictObject(modelFields);
export type InlineModelInput = z.infer<typeof inlineModelInput>;

/** A model asset file (`az ml model create --file`). */
export const modelDocumentInput = z.strictObject({ $schema: schemaUrl, ...modelFields });

export interface ParsedModel {
  model: Model;
  warnings: string[];
}

/**
 * Builds the canonical model from its written fields (`local_path` becomes `path`) once
 * `checkAssetPath` passed; problems and warnings are located under `prefix` (`model` for an inline
 * model, "" for a model file).
 */
export function toModel(
  input: InlineModelInput,
  prefix: string,
  problems: ErrorDetail[],
  warnings: string[],
): Model | undefined {
  const version = readAssetVersion(input.version, prefix, warnings);
  const { name, type, description, tags } = input;
  const path = input.path ?? input.local_path;
  return toCanonical(
    modelSchema,
    compact({ name, version, type, path, description, tags }),
    prefix,
    problems,
  );
}

/** Parses a model asset document (YAML text or an object) into the canonical `Model`. */
export function parseModelDocument(input: unknown, options: DocumentOptions = {}): ParsedModel {
  const document = readDocument(input, "model", options);
  const checked = validate(modelDocumentInput, document);
  const problems = checked.ok ? [] : checked.details;
  if (isMapping(document)) checkAssetPath(document, "", problems);
  const warnings: string[] = [];
  const model =
    checked.ok && problems.length === 0 ? toModel(checked.value, "", problems, warnings) : undefined;
  if (!model) throw invalidDocument("model", problems, options);
  return { model, warnings };
}
