import type { z } from "zod";
import { errors } from "../errors.js";
import type { StoredRow } from "./table-store.js";

/**
 * What every registry read returns: the canonical resource, the ETag to pass back as `ifMatch` when
 * updating it, and when it was created and last updated (ISO 8601, UTC).
 */
export interface RegistryRecord<T> {
  resource: T;
  /**
   * The row's identity, fixed when it was created: a resource deleted and created again under the
   * same name has a new one (jobs record their endpoint's, so a new endpoint never inherits them).
   */
  id: string;
  etag: string;
  created_at: string;
  updated_at: string;
}

/** How messages name each kind. */
export const kindLabels = {
  endpoint: "Batch endpoint",
  deployment: "Batch deployment",
  model: "Model",
  data: "Data asset",
  datastore: "Datastore",
  compute: "Compute",
} as const;

/** The public view of a stored row. */
export function toRecord<T>(row: StoredRow<T>): RegistryRecord<T> {
  return {
    resource: row.resource,
    id: row.meta.id,
    etag: row.etag,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** Parses a resource given to the registry; `InvalidSpec` listing every problem otherwise. */
export function parseResource<S extends z.ZodType>(schema: S, input: unknown, kind: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
  throw errors.invalidSpec(
    `Invalid ${kind}: ${details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ")}`,
    details,
  );
}

/** Refuses a change of an identifying field (`name`, `endpoint_name`, `version`). */
export function requireUnchanged(kind: string, field: string, before: string, after: string): void {
  if (before !== after) {
    throw errors.invalidSpec(`The ${field} of ${kind} '${before}' cannot be changed (got '${after}').`, [
      { path: field, message: `cannot be changed from '${before}'` },
    ]);
  }
}
