import { errors } from "../errors.js";
import { isMapping } from "../spec/fields.js";
import { PROTOTYPE_KEYS } from "../spec/names.js";

/** One `--set key=value`: a dotted path and its value. */
export interface SetValue {
  path: string[];
  value: unknown;
}

/**
 * Reads `--set` arguments (`settings.mini_batch_size=5`, `retry_settings.max_retries=1`,
 * `tags.team=risk`). The value is read as JSON when it is JSON (`5`, `true`, `null`, `{"a":1}`,
 * `"5"` for the text 5), as text otherwise, as `az` does. `InvalidParameter` for a malformed one.
 */
export function parseSetValues(items: readonly string[], flag = "--set"): SetValue[] {
  return items.map((item) => {
    const eq = item.indexOf("=");
    const key = eq < 0 ? "" : item.slice(0, eq).trim();
    const path = key.split(".");
    if (eq <= 0 || path.some((part) => part === "")) {
      throw errors.invalidParameter(
        flag,
        `'${item}' is not key=value (dotted keys such as settings.mini_batch_size=5)`,
      );
    }
    const unsafe = path.find((part) => PROTOTYPE_KEYS.has(part));
    if (unsafe !== undefined) {
      throw errors.invalidParameter(flag, `'${key}': '${unsafe}' is not a key that can be set`);
    }
    return { path, value: parseValue(item.slice(eq + 1)) };
  });
}

/** Applies `--set` values to a document, creating the mappings on the way; a list index may be a number. */
export function applySetValues(document: Record<string, unknown>, values: readonly SetValue[]): void {
  for (const { path, value } of values) {
    let node: Record<string, unknown> | unknown[] = document;
    for (const [index, key] of path.entries()) {
      const last = index === path.length - 1;
      if (Array.isArray(node)) {
        const position = Number(key);
        if (!Number.isInteger(position) || position < 0 || position >= node.length) {
          throw errors.invalidParameter(
            "--set",
            `'${path.join(".")}': '${key}' is not an index of the list there`,
          );
        }
        if (last) node[position] = value;
        else node = child(node[position], path, index);
      } else if (last) {
        node[key] = value;
      } else {
        const next = node[key];
        if (next === undefined || next === null) node[key] = {};
        node = child(node[key], path, index);
      }
    }
  }
}

function child(value: unknown, path: string[], index: number): Record<string, unknown> | unknown[] {
  if (Array.isArray(value) || isMapping(value)) return value;
  throw errors.invalidParameter(
    "--set",
    `'${path.join(".")}': '${path.slice(0, index + 1).join(".")}' is a value, not a mapping`,
  );
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads `key=value` pairs of a flag such as `--defaults deployment_name=D` into a flat record. */
export function parsePairs(items: readonly string[], flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw errors.invalidParameter(flag, `'${item}' is not key=value`);
    const key = item.slice(0, eq).trim();
    if (PROTOTYPE_KEYS.has(key)) throw errors.invalidParameter(flag, `'${key}' is not a key that can be set`);
    pairs[key] = item.slice(eq + 1).trim();
  }
  return pairs;
}
