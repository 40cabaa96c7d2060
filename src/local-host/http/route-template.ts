import { errors } from "../../errors.js";

/** A parameter of a route template: `{name}`, `{name?}`, `{name=default}`, `{*rest}`, `{id:int}`. */
interface RouteParameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Array<(value: string) => boolean>;
}

/** One compiled route template (ASP.NET Core syntax, as Functions HTTP routes use). */
export interface RouteTemplate {
  template: string;
  /** Sort key: literal segments first, then constrained, plain, optional and catch-all parameters. */
  precedence: number[];
  /** Parameters when the (still percent-encoded) path matches, else undefined. */
  match(path: string): Record<string, string> | undefined;
}

const SEGMENT_RANK = { literal: 1, complex: 2, constrained: 3, parameter: 4, optional: 5, catchAll: 6 };

/**
 * Compiles a route template such as `batch-endpoints/{name}/deployments/{deployment?}`.
 * Literal text matches case-insensitively; parameter values are percent-decoded. Inline
 * constraints int, long, bool, guid, alpha, double/decimal/float, datetime, min, max, range,
 * length, minlength, maxlength and regex are checked; other constraints are tolerated.
 */
export function compileRouteTemplate(template: string): RouteTemplate {
  const trimmed = template.replace(/^\/+|\/+$/g, "");
  const params: RouteParameter[] = [];
  const precedence: number[] = [];
  let pattern = "^";
  const segments = trimmed === "" ? [] : trimmed.split("/");
  for (const [index, segment] of segments.entries()) {
    const parts = splitSegment(segment, template);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only !== undefined && typeof only !== "string") {
      params.push(only);
      if (only.catchAll) {
        if (index !== segments.length - 1) throw badTemplate(template, "a catch-all parameter must be last");
        pattern += index === 0 ? "(.*)" : "(?:/(.*))?";
        precedence.push(SEGMENT_RANK.catchAll);
      } else if (only.optional || only.defaultValue !== undefined) {
        pattern += index === 0 ? "([^/]+)?" : "(?:/([^/]+))?";
        precedence.push(SEGMENT_RANK.optional);
      } else {
        pattern += `${index === 0 ? "" : "/"}([^/]+)`;
        precedence.push(only.constraints.length > 0 ? SEGMENT_RANK.constrained : SEGMENT_RANK.parameter);
      }
      continue;
    }
    pattern += index === 0 ? "" : "/";
    for (const part of parts) {
      if (typeof part === "string") pattern += escapeRegExp(part);
      else {
        if (part.catchAll) throw badTemplate(template, "a catch-all parameter must fill its segment");
        params.push(part);
        pattern += "([^/]+?)";
      }
    }
    precedence.push(parts.length === 1 ? SEGMENT_RANK.literal : SEGMENT_RANK.complex);
  }
  const regex = new RegExp(`${pattern}/?$`, "i");
  return {
    template: trimmed,
    precedence,
    match(path) {
      const found = regex.exec(path.replace(/^\/+/, ""));
      if (!found) return undefined;
      const values: Record<string, string> = {};
      for (const [i, param] of params.entries()) {
        const raw = found[i + 1];
        const value = raw === undefined || raw === "" ? param.defaultValue : decode(raw);
        if (value === undefined) continue;
        if (!param.constraints.every((check) => check(value))) return undefined;
        values[param.name] = value;
      }
      return values;
    },
  };
}

function splitSegment(segment: string, template: string): Array<string | RouteParameter> {
  const parts: Array<string | RouteParameter> = [];
  let rest = segment;
  while (rest.length > 0) {
    const open = rest.indexOf("{");
    if (open < 0) {
      parts.push(rest);
      break;
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = closingBrace(rest, open);
    if (close < 0) throw badTemplate(template, `unclosed '{' in segment '${segment}'`);
    parts.push(parseParameter(rest.slice(open + 1, close), template));
    rest = rest.slice(close + 1);
  }
  return parts;
}

function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === "(") depth += 1;
    else if (text[i] === ")") depth -= 1;
    else if (text[i] === "}" && depth === 0) return i;
  }
  return -1;
}

function parseParameter(body: string, template: string): RouteParameter {
  let text = body;
  const catchAll = text.startsWith("*");
  if (catchAll) text = text.replace(/^\*+/, "");
  let defaultValue: string | undefined;
  const equals = text.indexOf("=");
  if (equals >= 0 && !text.slice(0, equals).includes("(")) {
    defaultValue = text.slice(equals + 1);
    text = text.slice(0, equals);
  }
  const optional = text.endsWith("?");
  if (optional) text = text.slice(0, -1);
  const [name = "", ...constraintTexts] = splitConstraints(text);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw badTemplate(template, `invalid parameter name '${name}'`);
  return { name, optional, catchAll, defaultValue, constraints: constraintTexts.map(constraintCheck) };
}

function splitConstraints(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === ":" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function constraintCheck(text: string): (value: string) => boolean {
  const found = /^([a-zA-Z]+)(?:\((.*)\))?$/s.exec(text);
  const kind = found?.[1]?.toLowerCase() ?? "";
  const args = (found?.[2] ?? "").split(",").map((a) => a.trim());
  const num = (i: number) => Number(args[i]);
  switch (kind) {
    case "int":
    case "long":
      return (v) => /^-?\d+$/.test(v);
    case "bool":
      return (v) => /^(true|false)$/i.test(v);
    case "guid":
      return (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v);
    case "alpha":
      return (v) => /^[a-z]+$/i.test(v);
    case "double":
    case "decimal":
    case "float":
      return (v) => v.trim() !== "" && Number.isFinite(Number(v));
    case "datetime":
      return (v) => !Number.isNaN(Date.parse(v));
    case "min":
      return (v) => /^-?\d+$/.test(v) && Number(v) >= num(0);
    case "max":
      return (v) => /^-?\d+$/.test(v) && Number(v) <= num(0);
    case "range":
      return (v) => /^-?\d+$/.test(v) && Number(v) >= num(0) && Number(v) <= num(1);
    case "minlength":
      return (v) => v.length >= num(0);
    case "maxlength":
      return (v) => v.length <= num(0);
    case "length":
      return args.length > 1 ? (v) => v.length >= num(0) && v.length <= num(1) : (v) => v.length === num(0);
    case "regex": {
      const regex = new RegExp(found?.[2] ?? "", "i");
      return (v) => regex.test(v);
    }
    default:
      return () => true;
  }
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function badTemplate(template: string, problem: string) {
  return errors.invalidConfig(`Invalid route template '${template}': ${problem}`, [
    { path: "route", message: problem },
  ]);
}
