import { errors } from "../../errors.js";
import type { DeploymentSettings } from "../../spec/resources.js";

/**
 * The input columns a no-code runtime copies into each of its prediction rows (the deployment's
 * `key_field`, `include_columns`, `exclude_columns`, after the invocation's overrides).
 */
export interface PassThrough {
  /** One input column copied into every row, right after `row`. */
  keyField?: string;
  /** Input columns joined to the rows (`*`: all of them). */
  include?: string[];
  /** Every input column but these joined to the rows. */
  exclude?: string[];
}

/** The pass-through of a job's settings, or undefined when it joins nothing. */
export function passThroughOf(settings: DeploymentSettings): PassThrough | undefined {
  const { key_field, include_columns, exclude_columns } = settings;
  if (key_field === undefined && include_columns === undefined && exclude_columns === undefined)
    return undefined;
  return {
    ...(key_field === undefined ? {} : { keyField: key_field }),
    ...(include_columns === undefined ? {} : { include: include_columns }),
    ...(exclude_columns === undefined ? {} : { exclude: exclude_columns }),
  };
}

/**
 * The input columns to join, in the order they are written: the key, then the joined columns in
 * file order. A key or an included column the file does not have fails the file with
 * `MissingColumn`, naming it; an excluded column the file does not have is no problem.
 */
export function selectPassThrough(
  names: readonly string[],
  passThrough: PassThrough,
  fileName: string,
): string[] {
  const present = new Set(names);
  const wanted = [
    ...(passThrough.keyField === undefined ? [] : [{ name: passThrough.keyField, as: "key_field" }]),
    ...(passThrough.include ?? [])
      .filter((name) => name !== "*")
      .map((name) => ({ name, as: "include_columns" })),
  ];
  const missing = wanted.find((column) => !present.has(column.name));
  if (missing) {
    throw errors.missingColumn(
      `File '${fileName}' has no column '${missing.name}', named by ${missing.as} (columns in the file: ${names.map((n) => `'${n}'`).join(", ") || "none"}).`,
    );
  }
  const all = passThrough.include?.includes("*") ?? false;
  const included = new Set(passThrough.include ?? []);
  const excluded = new Set(passThrough.exclude ?? []);
  const joined = names.filter((name) => {
    if (name === passThrough.keyField) return false;
    if (passThrough.exclude) return !excluded.has(name);
    return all || included.has(name);
  });
  return passThrough.keyField === undefined ? joined : [passThrough.keyField, ...joined];
}

/**
 * The name a joined column is written under: its own, or `input_<name>` when the prediction row
 * has a column of that name already (`row`, `file_name`, a prediction column).
 */
export function joinedName(name: string, taken: ReadonlySet<string>): string {
  let written = name;
  while (taken.has(written)) written = `input_${written}`;
  return written;
}
