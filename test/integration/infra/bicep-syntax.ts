import { type BicepFile, type Declaration, type Decorator, type Expr, simpleString } from "./bicep-ast.js";

/**
 * A reader for the subset of Bicep that infra/ uses: declarations (targetScope, param, var,
 * resource, module, output) with decorators, and expressions (strings with interpolation, numbers,
 * booleans, null, objects, arrays, `for` and `if` bodies, member/index access, calls, unary, binary
 * and ternary operators). No Bicep CLI is needed; anything outside the subset is an error naming
 * the file and line, so the checks never silently skip a construct they do not understand.
 */

const BINARY_LEVELS: string[][] = [
  ["??"],
  ["||"],
  ["&&"],
  ["==", "!=", "=~", "!~"],
  ["<=", ">=", "<", ">"],
  ["+", "-"],
  ["*", "/", "%"],
];

/** Parses one Bicep file's text; `path` names it in error messages. */
export function parseBicep(text: string, path: string): BicepFile {
  return { path, declarations: new Reader(text, path).file() };
}

class Reader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  file(): Declaration[] {
    const declarations: Declaration[] = [];
    let decorators: Decorator[] = [];
    for (this.skip(); this.pos < this.text.length; this.skip()) {
      if (this.eat("@")) {
        const name = this.identifier();
        decorators.push({ name, args: this.arguments() });
        continue;
      }
      declarations.push(this.declaration(decorators));
      decorators = [];
    }
    if (decorators.length > 0) this.fail("a decorator must precede a declaration");
    return declarations;
  }

  private declaration(decorators: Decorator[]): Declaration {
    const line = this.line();
    const keyword = this.identifier();
    switch (keyword) {
      case "targetScope":
        this.expect("=");
        return { kind: "targetScope", value: this.expression(), line };
      case "param": {
        const name = this.identifier();
        const type = this.typeName();
        const value = this.eat("=") ? this.expression() : undefined;
        return { kind: "param", name, type, decorators, default: value, line };
      }
      case "var": {
        const name = this.identifier();
        this.expect("=");
        return { kind: "var", name, value: this.expression(), decorators, line };
      }
      case "output": {
        const name = this.identifier();
        const type = this.typeName();
        this.expect("=");
        return { kind: "output", name, type, value: this.expression(), decorators, line };
      }
      case "resource": {
        const name = this.identifier();
        const type = this.plainString();
        const existing = this.peekWord("existing");
        if (existing) this.identifier();
        this.expect("=");
        return { kind: "resource", name, type, existing, value: this.expression(), decorators, line };
      }
      case "module": {
        const name = this.identifier();
        const path = this.plainString();
        this.expect("=");
        return { kind: "module", name, path, value: this.expression(), decorators, line };
      }
      default:
        return this.fail(`'${keyword}' declarations are not supported by this reader`);
    }
  }

  private typeName(): string {
    const type = this.identifier();
    return this.eat("?") ? `${type}?` : type;
  }

  expression(): Expr {
    const test = this.binary(0);
    if (!this.eat("?")) return test;
    const then = this.expression();
    this.expect(":");
    return { kind: "ternary", test, then, otherwise: this.expression() };
  }

  private binary(level: number): Expr {
    const ops = BINARY_LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      this.skip();
      const op = ops.find((candidate) => this.text.startsWith(candidate, this.pos));
      if (!op) return left;
      this.pos += op.length;
      left = { kind: "binary", op, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Expr {
    this.skip();
    if (this.eat("!")) return { kind: "unary", op: "!", operand: this.unary() };
    if (this.text[this.pos] === "-" && !/[0-9]/.test(this.text[this.pos + 1] ?? "")) {
      this.pos += 1;
      return { kind: "unary", op: "-", operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(start: Expr): Expr {
    let expr = start;
    for (;;) {
      const newline = this.skip();
      if (this.eat("?.") || this.eat(".")) {
        expr = { kind: "member", object: expr, property: this.identifier() };
      } else if (!newline && this.text[this.pos] === "[") {
        this.pos += 1;
        const index = this.expression();
        this.expect("]");
        expr = { kind: "index", object: expr, index };
      } else if (!newline && this.text[this.pos] === "(") {
        expr = { kind: "call", callee: expr, args: this.arguments() };
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    this.skip();
    const char = this.text[this.pos];
    if (char === "'") return this.string();
    if (char === "{") return this.object();
    if (char === "[") return this.array();
    if (char === "(") {
      this.pos += 1;
      const inner = this.expression();
      this.expect(")");
      return inner;
    }
    const number = /^-?[0-9]+(\.[0-9]+)?/.exec(this.text.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return { kind: "number", value: Number(number[0]) };
    }
    const word = this.identifier();
    if (word === "true" || word === "false") return { kind: "bool", value: word === "true" };
    if (word === "null") return { kind: "null" };
    if (word === "if") {
      this.expect("(");
      const condition = this.expression();
      this.expect(")");
      return { kind: "if", condition, body: this.expression() };
    }
    return { kind: "ident", name: word };
  }

  private object(): Expr {
    this.expect("{");
    const properties: Array<{ key: string | Expr; value: Expr }> = [];
    for (this.skip(); !this.eat("}"); this.skip()) {
      if (this.text.startsWith("...", this.pos)) this.fail("object spread is not supported");
      const key = this.text[this.pos] === "'" ? this.string() : this.identifier();
      if (key === "resource") this.fail("nested resource declarations are not supported");
      this.expect(":");
      properties.push({
        key: typeof key === "string" ? key : (simpleString(key) ?? key),
        value: this.expression(),
      });
      this.eat(",");
    }
    return { kind: "object", properties };
  }

  private array(): Expr {
    this.expect("[");
    this.skip();
    if (this.peekWord("for")) {
      this.identifier();
      let item: string;
      let index: string | undefined;
      if (this.eat("(")) {
        item = this.identifier();
        this.expect(",");
        index = this.identifier();
        this.expect(")");
      } else {
        item = this.identifier();
      }
      if (this.identifier() !== "in") this.fail("expected 'in' in a for expression");
      const collection = this.expression();
      this.expect(":");
      const body = this.expression();
      this.expect("]");
      return { kind: "for", item, index, collection, body };
    }
    const items: Expr[] = [];
    for (this.skip(); !this.eat("]"); this.skip()) {
      items.push(this.expression());
      this.eat(",");
    }
    return { kind: "array", items };
  }

  private arguments(): Expr[] {
    this.expect("(");
    const args: Expr[] = [];
    for (this.skip(); !this.eat(")"); this.skip()) {
      args.push(this.expression());
      this.skip();
      if (this.text[this.pos] !== ")") this.expect(",");
    }
    return args;
  }

  private string(): Expr {
    if (this.text.startsWith("'''", this.pos)) {
      const end = this.text.indexOf("'''", this.pos + 3);
      if (end < 0) this.fail("unterminated multi-line string");
      const value = this.text.slice(this.pos + 3, end).replace(/^\r?\n/, "");
      this.pos = end + 3;
      return { kind: "string", parts: [value] };
    }
    this.pos += 1;
    const parts: Array<string | Expr> = [];
    let literal = "";
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined || char === "\n") this.fail("unterminated string");
      this.pos += 1;
      if (char === "'") break;
      if (char === "\\") {
        literal += this.escape();
      } else if (char === "$" && this.text[this.pos] === "{") {
        this.pos += 1;
        if (literal) parts.push(literal);
        literal = "";
        parts.push(this.expression());
        this.expect("}");
      } else {
        literal += char;
      }
    }
    if (literal || parts.length === 0) parts.push(literal);
    return { kind: "string", parts };
  }

  private escape(): string {
    const char = this.text[this.pos];
    this.pos += 1;
    const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", "'": "'", $: "$" };
    const value = char === undefined ? undefined : escapes[char];
    if (value === undefined) this.fail(`unsupported escape '\\${char ?? ""}'`);
    return value;
  }

  private plainString(): string {
    this.skip();
    const expr = this.string();
    return simpleString(expr) ?? this.fail("expected a string without interpolation");
  }

  private identifier(): string {
    this.skip();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 200));
    if (!match) this.fail(`expected a name, found '${this.text.slice(this.pos, this.pos + 20)}'`);
    this.pos += match[0].length;
    return match[0];
  }

  private peekWord(word: string): boolean {
    this.skip();
    return new RegExp(`^${word}(?![A-Za-z0-9_])`).test(this.text.slice(this.pos, this.pos + word.length + 1));
  }

  private eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token))
      this.fail(`expected '${token}', found '${this.text.slice(this.pos, this.pos + 20)}'`);
  }

  /** Skips blanks and comments; true when a line break was crossed. */
  private skip(): boolean {
    let newline = false;
    for (;;) {
      const rest = this.text.slice(this.pos, this.pos + 2);
      const char = rest[0];
      if (char === "\n") newline = true;
      if (char === " " || char === "\t" || char === "\r" || char === "\n") {
        this.pos += 1;
      } else if (rest === "//") {
        const end = this.text.indexOf("\n", this.pos);
        this.pos = end < 0 ? this.text.length : end;
      } else if (rest === "/*") {
        const end = this.text.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail("unterminated comment");
        newline ||= this.text.slice(this.pos, end).includes("\n");
        this.pos = end + 2;
      } else {
        return newline;
      }
    }
  }

  private line(): number {
    return this.text.slice(0, this.pos).split("\n").length;
  }

  private fail(message: string): never {
    throw new Error(`${this.path}:${this.line()}: ${message}`);
  }
}
