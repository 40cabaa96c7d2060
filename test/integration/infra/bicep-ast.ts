/** The syntax tree of the Bicep subset infra/ uses (see bicep-syntax.ts for the reader). */

export type Expr =
  | { kind: "string"; parts: Array<string | Expr> }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "ident"; name: string }
  | { kind: "member"; object: Expr; property: string }
  | { kind: "index"; object: Expr; index: Expr }
  | { kind: "call"; callee: Expr; args: Expr[] }
  | { kind: "object"; properties: Array<{ key: string | Expr; value: Expr }> }
  | { kind: "array"; items: Expr[] }
  | { kind: "unary"; op: "!" | "-"; operand: Expr }
  | { kind: "binary"; op: string; left: Expr; right: Expr }
  | { kind: "ternary"; test: Expr; then: Expr; otherwise: Expr }
  | { kind: "for"; item: string; index?: string; collection: Expr; body: Expr }
  | { kind: "if"; condition: Expr; body: Expr };

export interface Decorator {
  name: string;
  args: Expr[];
}

export type Declaration =
  | { kind: "targetScope"; value: Expr; line: number }
  | { kind: "param"; name: string; type: string; decorators: Decorator[]; default?: Expr; line: number }
  | { kind: "var"; name: string; value: Expr; decorators: Decorator[]; line: number }
  | {
      kind: "resource";
      name: string;
      type: string;
      existing: boolean;
      value: Expr;
      decorators: Decorator[];
      line: number;
    }
  | { kind: "module"; name: string; path: string; value: Expr; decorators: Decorator[]; line: number }
  | { kind: "output"; name: string; type: string; value: Expr; decorators: Decorator[]; line: number };

export interface BicepFile {
  path: string;
  declarations: Declaration[];
}

/** The text of a string expression without interpolation, else undefined. */
export function simpleString(expr: Expr): string | undefined {
  if (expr.kind !== "string") return undefined;
  const [only, ...rest] = expr.parts;
  return rest.length === 0 && typeof only === "string" ? only : undefined;
}

/** The name a call expression calls: `guid` for `guid(...)` and `sys.guid(...)`. */
export function calleeName(expr: Extract<Expr, { kind: "call" }>): string {
  if (expr.callee.kind === "ident") return expr.callee.name;
  if (expr.callee.kind === "member") return expr.callee.property;
  return "";
}
