import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { type BicepFile, type Declaration, type Expr, parseBicep } from "./bicep-syntax.js";

/**
 * What a Bicep deployment would create, worked out without Azure: every resource of the entry file
 * and of its modules (loops expanded, false conditions dropped), with its properties evaluated as far
 * as parameters, variables and literals allow. Values that only Azure knows (uniqueString, resource
 * ids, endpoints, another resource's properties) stay `Unknown`, carrying a readable text that is the
 * same wherever the same value flows, so two references to one thing compare equal.
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
  /** Every file read, entry first, relative to the entry's folder. */
  files: BicepFile[];
}

interface Scope {
  file: BicepFile;
  root: string;
  unconditional: boolean;
  params: Map<string, Value>;
  vars: Map<string, Value>;
  symbols: Map<string, ResourceRef | ModuleRef | Unknown>;
  deployment: { resources: DeployedResource[]; files: BicepFile[] };
}

/** Evaluates `entry` (a .bicep file) with the given parameter values, following its modules. */
export function evaluateDeployment(entry: string, parameters: Record<string, Value> = {}): Deployment {
  const root = dirname(entry);
  const deployment = { resources: [] as DeployedResource[], files: [] as BicepFile[] };
  const scope = instantiate(entry, root, parameters, true, deployment);
  const outputs: Record<string, Value> = {};
  for (const decl of scope.file.declarations) {
    if (decl.kind === "output") outputs[decl.name] = evaluate(decl.value, scope, new Map());
  }
  const params = scope.file.declarations.filter(
    (decl): decl is Extract<Declaration, { kind: "param" }> => decl.kind === "param",
  );
  return { ...deployment, outputs, params };
}

/** Reads a `deploymentParameters.json` file into parameter values. */
export function readParametersFile(path: string): Record<string, Value> {
  const json: unknown = JSON.parse(readFileSync(path, "utf8"));
  const parameters = isObject(json) && isObject(json.parameters) ? json.parameters : {};
  const values: Record<string, Value> = {};
  for (const [name, entry] of Object.entries(parameters)) {
    if (isObject(entry) && "value" in entry) values[name] = entry.value as Value;
  }
  return values;
}

function instantiate(
  path: string,
  root: string,
  parameters: Record<string, Value>,
  unconditional: boolean,
  deployment: Scope["deployment"],
): Scope {
  const file = parseBicep(readFileSync(path, "utf8"), relative(root, path) || path);
  deployment.files.push(file);
  const scope: Scope = {
    file,
    root,
    unconditional,
    params: new Map(),
    vars: new Map(),
    symbols: new Map(),
    deployment,
  };
  for (const decl of file.declarations) {
    if (decl.kind === "param") {
      const given = parameters[decl.name];
      scope.params.set(
        decl.name,
        given !== undefined
          ? given
          : decl.default
            ? evaluate(decl.default, scope, new Map())
            : new Unknown(`param:${decl.name}`),
      );
    }
  }
  for (const decl of file.declarations) {
    if (decl.kind === "var") scope.vars.set(decl.name, evaluate(decl.value, scope, new Map()));
  }
  const pending = file.declarations.filter((decl) => decl.kind === "resource" || decl.kind === "module");
  // Declarations may reference each other in any order: evaluate those whose references are ready.
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > file.declarations.length) {
      throw new Error(`${file.path}: cannot order declarations ${pending.map((d) => d.name).join(", ")}`);
    }
    for (let i = 0; i < pending.length; ) {
      const decl = pending[i];
      if (decl && referencesReady(decl.value, scope)) {
        declare(decl, scope);
        pending.splice(i, 1);
      } else {
        i += 1;
      }
    }
  }
  return scope;
}

function referencesReady(expr: Expr, scope: Scope): boolean {
  return identifiersOf(expr).every((name) => scope.symbols.has(name) || !isSymbolOf(scope.file, name));
}

function isSymbolOf(file: BicepFile, name: string): boolean {
  return file.declarations.some(
    (decl) => (decl.kind === "resource" || decl.kind === "module") && decl.name === name,
  );
}

/** Every identifier an expression mentions. */
export function identifiersOf(expr: Expr): string[] {
  switch (expr.kind) {
    case "ident":
      return [expr.name];
    case "string":
      return expr.parts.flatMap((part) => (typeof part === "string" ? [] : identifiersOf(part)));
    case "member":
      return identifiersOf(expr.object);
    case "index":
      return [...identifiersOf(expr.object), ...identifiersOf(expr.index)];
    case "call":
      return [...identifiersOf(expr.callee), ...expr.args.flatMap(identifiersOf)];
    case "object":
      return expr.properties.flatMap((p) => [
        ...(typeof p.key === "string" ? [] : identifiersOf(p.key)),
        ...identifiersOf(p.value),
      ]);
    case "array":
      return expr.items.flatMap(identifiersOf);
    case "unary":
      return identifiersOf(expr.operand);
    case "binary":
      return [...identifiersOf(expr.left), ...identifiersOf(expr.right)];
    case "ternary":
      return [...identifiersOf(expr.test), ...identifiersOf(expr.then), ...identifiersOf(expr.otherwise)];
    case "for":
      return [...identifiersOf(expr.collection), ...identifiersOf(expr.body)];
    case "if":
      return [...identifiersOf(expr.condition), ...identifiersOf(expr.body)];
    default:
      return [];
  }
}

function declare(decl: Extract<Declaration, { kind: "resource" | "module" }>, scope: Scope): void {
  const instances: Array<{ locals: Map<string, Value>; body: Expr; unconditional: boolean }> = [];
  const unfold = (expr: Expr, locals: Map<string, Value>, unconditional: boolean): void => {
    if (expr.kind === "if") {
      const condition = evaluate(expr.condition, scope, locals);
      if (condition === false) return;
      unfold(expr.body, locals, unconditional && condition === true);
    } else if (expr.kind === "for") {
      const collection = evaluate(expr.collection, scope, locals);
      const items: Value[] = Array.isArray(collection) ? collection : [new Unknown(`each:${expr.item}`)];
      items.forEach((item, index) => {
        const bound = new Map(locals).set(expr.item, item);
        if (expr.index) bound.set(expr.index, index);
        unfold(expr.body, bound, unconditional && Array.isArray(collection));
      });
    } else {
      instances.push({ locals, body: expr, unconditional });
    }
  };
  unfold(decl.value, new Map(), scope.unconditional);

  if (decl.kind === "module") {
    const [first] = instances;
    if (!first) {
      scope.symbols.set(decl.name, new Unknown(`${decl.name} (not deployed)`));
      return;
    }
    if (instances.length > 1)
      throw new Error(`${scope.file.path}: module loops are not supported (${decl.name})`);
    const body = asObject(evaluate(first.body, scope, first.locals));
    const params = body.params === undefined ? {} : asObject(body.params);
    const child = instantiate(
      join(scope.root, dirname(scope.file.path), decl.path),
      scope.root,
      params,
      first.unconditional,
      scope.deployment,
    );
    scope.symbols.set(decl.name, new ModuleRef(child));
    return;
  }

  const [type = "", apiVersion = ""] = decl.type.split("@");
  let last: ResourceRef | undefined;
  for (const instance of instances) {
    const body = asObject(evaluate(instance.body, scope, instance.locals));
    const nameExpr =
      instance.body.kind === "object"
        ? instance.body.properties.find((p) => p.key === "name")?.value
        : undefined;
    const name = show(body.name ?? new Unknown("name?"));
    const parent = body.parent instanceof ResourceRef ? body.parent.resource.fullName : undefined;
    const fullName = parent ? `${parent}/${name}` : name;
    const resource: DeployedResource = {
      key: `${type}|${fullName}`,
      type,
      apiVersion,
      fullName,
      existing: decl.existing,
      unconditional: instance.unconditional,
      file: scope.file.path,
      symbol: decl.name,
      body,
      nameExpr,
    };
    scope.deployment.resources.push(resource);
    last = new ResourceRef(resource);
  }
  scope.symbols.set(decl.name, last ?? new Unknown(`${decl.name} (not deployed)`));
}

function evaluate(expr: Expr, scope: Scope, locals: Map<string, Value>): Value {
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
  const found = scope.params.get(name) ?? scope.vars.get(name) ?? scope.symbols.get(name);
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

/** A readable text for any value; the same value always gives the same text. */
export function show(value: Value | undefined): string {
  if (value === undefined) return "";
  if (value instanceof Unknown) return value.text;
  if (value instanceof ResourceRef) return `⟨${value.resource.key}⟩`;
  if (value instanceof ModuleRef) return `⟨module ${value.scope.file.path}⟩`;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function asObject(value: Value): { [key: string]: Value } {
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
