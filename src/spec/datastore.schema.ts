import { z } from "zod";
import type { ErrorDetail } from "../errors.js";
import { caseInsensitive, compact, isMapping, schemaUrl } from "./fields.js";
import { readDocument } from "./parse-document.js";
import { type Datastore, datastoreSchema } from "./resources.js";
import { type DocumentOptions, invalidDocument, toCanonical, validate } from "./spec-validation.js";

/**
 * A datastore file (`az ml datastore create --file`): a blob container, in the app's own storage
 * account or in another one the app's identity can read.
 */
const datastoreDocumentInput = z.strictObject({
  $schema: schemaUrl,
  name: datastoreSchema.shape.name,
  type: caseInsensitive(
    z.literal("azure_blob", { error: "must be azure_blob (only blob datastores are supported)" }),
  ).optional(),
  account_name: datastoreSchema.shape.account_name,
  container_name: datastoreSchema.shape.container_name,
  endpoint: z.string().min(1).optional(),
  protocol: caseInsensitive(z.literal("https", { error: "must be https" })).optional(),
  description: z.string().optional(),
  tags: datastoreSchema.shape.tags.unwrap().optional(),
  /** Rejected with its own reason below, rather than as an unknown key. */
  credentials: z.unknown().optional(),
});

export interface ParsedDatastore {
  datastore: Datastore;
  warnings: string[];
}

/** Parses a datastore document (YAML text or an object) into the canonical `Datastore`. */
export function parseDatastoreDocument(input: unknown, options: DocumentOptions = {}): ParsedDatastore {
  const document = readDocument(input, "datastore", options);
  const checked = validate(datastoreDocumentInput, document);
  const problems: ErrorDetail[] = checked.ok ? [] : [...checked.details];
  if (isMapping(document) && document.credentials !== undefined) {
    problems.push({
      path: "credentials",
      message:
        "is not accepted: batchfn reaches storage with the Function App's managed identity; grant it a Storage Blob Data role on the account instead of storing a key",
    });
  }
  if (!checked.ok || problems.length > 0) throw invalidDocument("datastore", problems, options);
  const { credentials: _rejected, $schema: _ignored, ...fields } = checked.value;
  const datastore = toCanonical(datastoreSchema, compact(fields), "", problems);
  if (!datastore) throw invalidDocument("datastore", problems, options);
  return { datastore, warnings: [] };
}
