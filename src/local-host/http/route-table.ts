import type { AuthLevel, RegisteredFunction } from "../registered-function.js";
import { compileRouteTemplate, type RouteTemplate } from "./route-template.js";

/** An HTTP-triggered function with its compiled route. */
export interface HttpRoute {
  fn: RegisteredFunction;
  template: RouteTemplate;
  methods: string[];
  authLevel: AuthLevel;
}

export type RouteMatch =
  | { kind: "matched"; route: HttpRoute; params: Record<string, string> }
  | { kind: "methodNotAllowed"; allow: string[] }
  | { kind: "notFound" };

/** The HTTP routes of an app, ordered as ASP.NET Core orders them (most specific first). */
export interface RouteTable {
  routes: HttpRoute[];
  match(method: string, path: string): RouteMatch;
}

/**
 * Builds the route table of every `httpTrigger` function: route = `routePrefix/route` (the
 * function name when no route is given), methods from the trigger (GET and POST by default).
 */
export function createRouteTable(functions: readonly RegisteredFunction[], routePrefix: string): RouteTable {
  const routes: HttpRoute[] = functions
    .filter((fn) => fn.trigger.type.toLowerCase() === "httptrigger")
    .map((fn) => {
      const route = (fn.trigger.route ?? fn.name).replace(/^\/+/, "");
      const template = compileRouteTemplate(routePrefix ? `${routePrefix}/${route}` : route);
      return {
        fn,
        template,
        methods: fn.trigger.methods ?? ["GET", "POST"],
        authLevel: fn.trigger.authLevel ?? "function",
      };
    })
    .sort((a, b) => comparePrecedence(a.template.precedence, b.template.precedence));
  return {
    routes,
    match(method, path) {
      const allow = new Set<string>();
      const upper = method.toUpperCase();
      for (const route of routes) {
        const params = route.template.match(path);
        if (!params) continue;
        if (route.methods.includes(upper)) return { kind: "matched", route, params };
        for (const m of route.methods) allow.add(m);
      }
      return allow.size > 0 ? { kind: "methodNotAllowed", allow: [...allow].sort() } : { kind: "notFound" };
    },
  };
}

function comparePrecedence(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}
