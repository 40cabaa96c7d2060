import {
  compile,
  type JSONValue,
  registerFunction,
  search,
  TreeInterpreter,
  TYPE_ARRAY,
  TYPE_EXPREF,
} from "@jmespath-community/jmespath";

/**
 * JMESPath as az evaluates `--query` (Python's jmespath), on the JMESPath Community implementation,
 * which passes Python's compliance suite (test/fixtures/jmespath-compliance). What the Community
 * specification adds (arithmetic, `let`, `$`, `a ? b : c`, functions such as `lower()`) is refused,
 * so `tags.my-tag` is the syntax error it is for az, not a subtraction; `max_by`/`min_by` compare
 * strings as Python does (the library compares only numbers).
 */

/** Python jmespath's built-in functions: the only ones az knows. */
const AZ_FUNCTIONS = new Set([
  "abs",
  "avg",
  "ceil",
  "contains",
  "ends_with",
  "floor",
  "join",
  "keys",
  "length",
  "map",
  "max",
  "max_by",
  "merge",
  "min",
  "min_by",
  "not_null",
  "reverse",
  "sort",
  "sort_by",
  "starts_with",
  "sum",
  "to_array",
  "to_number",
  "to_string",
  "type",
  "values",
]);

/** Node types of the Community specification that Python's jmespath has no syntax for. */
const EXTENSIONS: Record<string, string> = {
  Arithmetic: "arithmetic (+ - * / % //); in az a '-' inside a name needs quotes: tags.\"my-tag\"",
  Unary: "arithmetic signs",
  LetExpression: "let expressions",
  Variable: "variables ($name)",
  Binding: "let expressions",
  Root: "the root reference $",
  Ternary: "conditional expressions (a ? b : c)",
};

/** Parses an expression and refuses what az's JMESPath does not have; throws an `Error` saying why. */
export function compileQuery(query: string): void {
  checkNode(compile(query));
}

/** Evaluates a checked expression on a JSON value. */
export function searchQuery(value: JSONValue, query: string): JSONValue {
  registerAzFunctions();
  compileQuery(query);
  return search(value, query);
}

function checkNode(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) checkNode(child);
    return;
  }
  if (typeof node !== "object" || node === null || !("type" in node)) return;
  const type = String(node.type);
  const extension = EXTENSIONS[type];
  if (extension) throw new Error(`${extension} is not part of the JMESPath az uses`);
  if (type === "Function" && "name" in node && !AZ_FUNCTIONS.has(String(node.name))) {
    throw new Error(`unknown function: ${String(node.name)}()`);
  }
  if (type === "Literal") return;
  for (const child of Object.values(node)) checkNode(child);
}

let registered = false;

function registerAzFunctions(): void {
  if (registered) return;
  registered = true;
  const signature = [{ types: [TYPE_ARRAY] }, { types: [TYPE_EXPREF] }];
  registerFunction("max_by", (args) => pickBy(args, "max_by", (key, best) => key > best), signature, {
    override: true,
  });
  registerFunction("min_by", (args) => pickBy(args, "min_by", (key, best) => key < best), signature, {
    override: true,
  });
}

/**
 * Python's `max(array, key=...)` / `min(...)`: the first element whose key wins; keys must all be
 * numbers or all strings.
 */
function pickBy(
  args: unknown[],
  name: string,
  wins: (key: number | string, best: number | string) => boolean,
): JSONValue {
  const [array, expref] = args as [JSONValue[], Parameters<typeof TreeInterpreter.visit>[0]];
  let best: { element: JSONValue; key: number | string } | undefined;
  for (const element of array) {
    const key = TreeInterpreter.visit(expref, element);
    if (typeof key !== "number" && typeof key !== "string") {
      throw new Error(`${name}(): the expression must give a number or a string, got ${typeName(key)}`);
    }
    if (best !== undefined && typeof best.key !== typeof key) {
      throw new Error(`${name}(): cannot compare a ${typeof best.key} with a ${typeof key}`);
    }
    if (best === undefined || wins(key, best.key)) best = { element, key };
  }
  return best?.element ?? null;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}
