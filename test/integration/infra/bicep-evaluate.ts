import type { Expr } from "./bicep-ast.js";
import { isObject, ModuleRef, ResourceRef, type Scope, show, Unknown, type Value } from "./bicep-values.js";

/**
 * Evaluates one expression in a file's scope (`locals`: loop variables): literals, parameters,
 * variables, resource and module references, operators and the functions infra/ uses; anything
 * else becomes an `Unknown` named by its expression.
 */
export function evaluate(expr: Expr, scope: Scope, locals: Map<string, Value>): Value {
  switch (expr.kind) {
    case "string": {
      const parts = expr.parts.map((part) =>
        typeof part === "string" ? part : evaluate(part, scope, locals),
      );
      const [only] = parts;
      if (parts.length === 1 && only instanceof Unknown) return only;
      if (parts.every((part) => ["string", "number", "boolean"].includes(typeof part))) return parts.join("");
      return new Unknown(parts.map((part) => (typeof part === "string" ? part : `⟨${show(part)}⟩`)).join(""));
    }
    case "number":
    case "bool":
      return expr.value;
    case "null":
      return null;
    case "ident":
      return lookup(expr.name, scope, locals);
    case "member":
      return member(evaluate(expr.object, scope, locals), expr.property);
    case "index": {
      const object = evaluate(expr.object, scope, locals);
      const index = evaluate(expr.index, scope, locals);
      if (Array.isArray(object) && typeof index === "number") return object[index] ?? null;
      if (typeof index === "string") return member(object, index);
      return new Unknown(`${show(object)}[${show(index)}]`);
    }
    case "call":
      return call(expr, scope, locals);
    case "object": {
      const result: { [key: string]: Value } = {};
      for (const { key, value } of expr.properties) {
        result[typeof key === "string" ? key : show(evaluate(key, scope, locals))] = evaluate(
          value,
          scope,
          locals,
        );
      }
      return result;
    }
    case "array":
      return expr.items.map((item) => evaluate(item, scope, locals));
    case "unary": {
      const operand = evaluate(expr.operand, scope, locals);
      if (expr.op === "!" && typeof operand === "boolean") return !operand;
      if (expr.op === "-" && typeof operand === "number") return -operand;
      return new Unknown(`${expr.op}${show(operand)}`);
    }
    case "binary":
      return binary(expr.op, evaluate(expr.left, scope, locals), evaluate(expr.right, scope, locals));
    case "ternary": {
      const test = evaluate(expr.test, scope, locals);
      if (typeof test === "boolean") return evaluate(test ? expr.then : expr.otherwise, scope, locals);
      return new Unknown(`${show(test)} ? … : …`);
    }
    case "for": {
      const collection = evaluate(expr.collection, scope, locals);
      if (!Array.isArray(collection)) return new Unknown(`for ${expr.item} in ${show(collection)}`);
      return collection.map((item, index) => {
        const bound = new Map(locals).set(expr.item, item);
        if (expr.index) bound.set(expr.index, index);
        return evaluate(expr.body, scope, bound);
      });
    }
    case "if":
      throw new Error(`${scope.file.path}: 'if' is only supported as a resource or module body`);
  }
}

function lookup(name: string, scope: Scope, locals: Map<string, Value>): Value {
  const local = locals.get(name);
  if (local !== undefined) return local;
  const param = scope.params.get(name);
  if (param !== undefined) return param;
  const variable = scope.vars.get(name);
  if (variable) {
    variable.value ??= evaluate(variable.expr, scope, new Map());
    return variable.value;
  }
  const found = scope.symbols.get(name);
  if (found !== undefined) return found;
  throw new Error(`${scope.file.path}: '${name}' is not declared (or is used before it is)`);
}

function member(object: Value, property: string): Value {
  if (object instanceof ResourceRef) {
    const resource = object.resource;
    if (property === "name") return resource.body.name ?? new Unknown(`${resource.key}.name`);
    return new Unknown(`${resource.key}.${property}`);
  }
  if (object instanceof ModuleRef) {
    if (property !== "outputs") return new Unknown(`module.${property}`);
    const outputs: { [key: string]: Value } = {};
    for (const decl of object.scope.file.declarations) {
      if (decl.kind === "output") outputs[decl.name] = evaluate(decl.value, object.scope, new Map());
    }
    return outputs;
  }
  if (object instanceof Unknown) return new Unknown(`${object.text}.${property}`);
  if (isObject(object)) return object[property] ?? new Unknown(`missing property '${property}'`);
  return new Unknown(`${show(object)}.${property}`);
}

function binary(op: string, left: Value, right: Value): Value {
  const known = (v: Value) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  if (op === "??") return left === null ? right : left;
  if (known(left) && known(right)) {
    switch (op) {
      case "==":
        return left === right;
      case "!=":
        return left !== right;
      case "&&":
        return Boolean(left) && Boolean(right);
      case "||":
        return Boolean(left) || Boolean(right);
      case "+":
        return Number(left) + Number(right);
      case "-":
        return Number(left) - Number(right);
      case "<":
        return left < right;
      case "<=":
        return left <= right;
      case ">":
        return left > right;
      case ">=":
        return left >= right;
    }
  }
  if (op === "&&" && (left === false || right === false)) return false;
  if (op === "||" && (left === true || right === true)) return true;
  return new Unknown(`${show(left)} ${op} ${show(right)}`);
}

function call(expr: Extract<Expr, { kind: "call" }>, scope: Scope, locals: Map<string, Value>): Value {
  const args = expr.args.map((arg) => evaluate(arg, scope, locals));
  const callee =
    expr.callee.kind === "ident"
      ? expr.callee.name
      : expr.callee.kind === "member" && expr.callee.object.kind === "ident"
        ? `${expr.callee.object.name}.${expr.callee.property}`
        : "?";
  const name = callee.replace(/^(sys|az)\./, "");
  const [a, b, c] = args;
  const allKnown = args.every((arg) => !(arg instanceof Unknown || arg instanceof ResourceRef));
  if (allKnown) {
    if (name === "empty")
      return (
        a === null ||
        a === "" ||
        (Array.isArray(a) ? a.length === 0 : isObject(a) && Object.keys(a).length === 0)
      );
    if (name === "toLower" && typeof a === "string") return a.toLowerCase();
    if (name === "toUpper" && typeof a === "string") return a.toUpperCase();
    if (name === "replace" && typeof a === "string" && typeof b === "string" && typeof c === "string") {
      return a.split(b).join(c);
    }
    if (name === "take" && typeof b === "number" && (typeof a === "string" || Array.isArray(a))) {
      return a.slice(0, b);
    }
    if (name === "string" && (typeof a === "boolean" || typeof a === "number" || typeof a === "string")) {
      return String(a);
    }
    if (name === "concat" && args.every((arg) => typeof arg === "string")) return args.join("");
    if (name === "concat" && args.every(Array.isArray)) return args.flat();
    if (name === "items" && isObject(a)) {
      return Object.keys(a)
        .sort()
        .map((key) => ({ key, value: a[key] ?? null }));
    }
    if (name === "union" && args.every(isObject)) return Object.assign({}, ...args);
  }
  if (name === "union" && args.every((arg) => isObject(arg) || arg instanceof Unknown)) {
    // An object merged with unknowns keeps its known keys; their values may be overridden later.
    return Object.assign({}, ...args.filter(isObject));
  }
  if (
    (name === "subscriptionResourceId" || name === "resourceId") &&
    args.every((arg) => typeof arg === "string")
  ) {
    const [type = "", ...names] = args as string[];
    const prefix = name === "resourceId" ? "⟨resourceGroup().id⟩" : "⟨subscription().id⟩";
    return new Unknown(`${prefix}/providers/${type}/${names.join("/")}`);
  }
  return new Unknown(`${callee}(${args.map(show).join(", ")})`);
}
