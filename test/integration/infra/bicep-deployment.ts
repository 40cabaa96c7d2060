import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { BicepFile, Declaration, Expr } from "./bicep-ast.js";
import { evaluate } from "./bicep-evaluate.js";
import { parseBicep } from "./bicep-syntax.js";
import {
  asObject,
  type DeployedResource,
  type Deployment,
  isObject,
  ModuleRef,
  ResourceRef,
  type Scope,
  show,
  Unknown,
  type Value,
} from "./bicep-values.js";

/**
 * What a Bicep deployment would create, worked out without Azure: every resource of the entry file
 * and of its modules (loops expanded, false conditions dropped), with its properties evaluated as far
 * as parameters, variables and literals allow (see bicep-values.ts for what stays unknown).
 */

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
  return { ...deployment, outputs, params, paramValues: Object.fromEntries(scope.params) };
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
    if (decl.kind === "var") scope.vars.set(decl.name, { expr: decl.value });
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

function referencesReady(expr: Expr, scope: Scope, seen = new Set<string>()): boolean {
  return identifiersOf(expr).every((name) => {
    const variable = scope.vars.get(name);
    if (variable && !seen.has(name)) return referencesReady(variable.expr, scope, seen.add(name));
    return scope.symbols.has(name) || !isSymbolOf(scope.file, name);
  });
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
  const refs: ResourceRef[] = [];
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
    refs.push(new ResourceRef(resource));
  }
  const looped = decl.value.kind === "for" || (decl.value.kind === "if" && decl.value.body.kind === "for");
  const [only] = refs;
  scope.symbols.set(decl.name, looped ? refs : (only ?? new Unknown(`${decl.name} (not deployed)`)));
}

/** Parameter declarations of a Bicep file. */
export function paramsOf(path: string): Extract<Declaration, { kind: "param" }>[] {
  return parseBicep(readFileSync(path, "utf8"), path).declarations.flatMap((d) =>
    d.kind === "param" ? [d] : [],
  );
}
