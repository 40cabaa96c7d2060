import type { HttpRequest } from "@azure/functions";
import { z } from "zod";
import { errors } from "../../errors.js";
import { computeName } from "../../spec/compute.schema.js";
import { jobName } from "../../spec/names.js";
import { assetName, assetVersion, resourceName } from "../../spec/resources.js";
import { param } from "../http.js";

const rules = {
  /** Endpoint and deployment names. */
  resource: resourceName,
  /** Model, data asset and datastore names. */
  asset: assetName,
  version: assetVersion,
  /** Job names (`GET jobs/{job}`...). */
  job: jobName,
  compute: computeName,
  upload: z.uuid("must be the upload_id returned by POST /api/artifact-uploads"),
} as const;

/** The kinds of name a route parameter can hold. */
export type NameRule = keyof typeof rules;

/**
 * A route parameter, checked against the naming rule of what it names (`InvalidParameter`
 * naming the parameter otherwise), so a bad name never reaches a table key.
 */
export function routeName(request: HttpRequest, name: string, rule: NameRule): string {
  const value = param(request, name);
  const checked = rules[rule].safeParse(value);
  if (checked.success) return checked.data;
  throw errors.invalidParameter(name, checked.error.issues[0]?.message ?? "is not valid");
}

/** An optional query parameter that names something (`?endpoint=`), checked like a route parameter. */
export function queryName(request: HttpRequest, name: string, rule: NameRule): string | undefined {
  const value = request.query.get(name);
  if (value === null) return undefined;
  const checked = rules[rule].safeParse(value);
  if (checked.success) return checked.data;
  throw errors.invalidParameter(name, checked.error.issues[0]?.message ?? "is not valid");
}

/** A boolean query parameter (`?set_default=true`); absent is false, anything but true/false is refused. */
export function queryFlag(request: HttpRequest, name: string): boolean {
  const value = request.query.get(name);
  if (value === null || value === "" || value.toLowerCase() === "false") return false;
  if (value.toLowerCase() === "true") return true;
  throw errors.invalidParameter(name, `must be true or false, got '${value}'`);
}
