import type { BicepFile, Declaration, Expr } from "./bicep-ast.js";

/**
 * The values a Bicep expression evaluates to here. Values that only Azure knows (uniqueString,
 * resource ids, endpoints, another resource's properties) stay `Unknown`, carrying a readable text
 * that is the same wherever the same value flows, so two references to one thing compare equal.
 */

/** A value only Azure knows at deployment time, named by the expression that computes it. */
export class Unknown {
  constructor(readonly text: string) {}
}

/** A reference to a resource by its symbolic name. */
export class ResourceRef {
  constructor(readonly resource: DeployedResource) {}
}

/** A reference to a module by its symbolic name (`dependsOn`, `.outputs`). */
export class ModuleRef {
  constructor(readonly scope: Scope) {}
}

export type Value =
  | string
  | number
  | boolean
  | null
  | Unknown
  | ResourceRef
  | ModuleRef
  | Value[]
  | { [key: string]: Value };

export interface DeployedResource {
  /** `type|full name`: the same for a resource and for an `existing` reference to it. */
  key: string;
  /** Resource type without API version, e.g. `Microsoft.Storage/storageAccounts`. */
  type: string;
  apiVersion: string;
  /** Full name (`account/default/container` for child resources), as text. */
  fullName: string;
  existing: boolean;
  /** False when a condition Azure decides (not a parameter) guards it. */
  unconditional: boolean;
  file: string;
  symbol: string;
  /** The declaration's body, evaluated. */
  body: { [key: string]: Value };
  /** The unevaluated `name` expression (to check how names are built, e.g. guid()). */
  nameExpr: Expr | undefined;
}

export interface Deployment {
  resources: DeployedResource[];
  outputs: Record<string, Value>;
  /** Parameters of the entry file. */
  params: Extract<Declaration, { kind: "param" }>[];
  /** The values those parameters took (given, or their defaults). */
  paramValues: Record<string, Value>;
  /** Every file read, entry first, relative to the entry's folder. */
  files: BicepFile[];
}

/** One instantiated file: its parameter and variable values and declared symbols. */
export interface Scope {
  file: BicepFile;
  root: string;
  unconditional: boolean;
  params: Map<string, Value>;
  /** Variables, evaluated on first use (they may name resources and modules declared later). */
  vars: Map<string, { expr: Expr; value?: Value }>;
  /** Resources (an array of references when declared with a loop) and modules. */
  symbols: Map<string, ResourceRef | ResourceRef[] | ModuleRef | Unknown>;
  deployment: { resources: DeployedResource[]; files: BicepFile[] };
}

/** A readable text for any value; the same value always gives the same text. */
export function show(value: Value | undefined): string {
  if (value === undefined) return "";
  if (value instanceof Unknown) return value.text;
  if (value instanceof ResourceRef) return `⟨${value.resource.key}⟩`;
  if (value instanceof ModuleRef) return `⟨module ${value.scope.file.path}⟩`;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function asObject(value: Value): { [key: string]: Value } {
  if (!isObject(value)) throw new Error(`expected an object, got ${show(value)}`);
  return value;
}

/** A plain object value (not a reference, an unknown or an array). */
export function isObject(value: unknown): value is { [key: string]: Value } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Unknown) &&
    !(value instanceof ResourceRef) &&
    !(value instanceof ModuleRef)
  );
}

/** `object[key]` when object is a plain object, else undefined. */
export function field(object: Value | undefined, key: string): Value | undefined {
  return isObject(object) ? object[key] : undefined;
}
