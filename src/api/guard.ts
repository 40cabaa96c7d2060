import type { HttpRequest } from "@azure/functions";
import type { Authorizer } from "../auth/authorizer.js";
import { rememberCaller } from "../auth/caller.js";
import type { Access } from "../auth/roles.js";
import { type Handler, handle, param } from "./http.js";

/** What a route asks of its caller, read from the request (route parameters, query). */
export type RouteAccess = (request: HttpRequest) => Access;

/** The access rules of batchfn's routes. */
export const routeAccess = {
  /** Registry routes; `endpointParam` names the route parameter holding the managed endpoint. */
  admin:
    (endpointParam?: string): RouteAccess =>
    (request) =>
      endpointParam === undefined
        ? { kind: "admin" }
        : { kind: "admin", endpoint: param(request, endpointParam) },
  /** Invoking the endpoint named by a route parameter. */
  endpoint:
    (endpointParam: string): RouteAccess =>
    (request) => ({ kind: "endpoint", endpoint: param(request, endpointParam) }),
  /** Reading or cancelling the job named by a route parameter. */
  job:
    (jobParam: string): RouteAccess =>
    (request) => ({ kind: "job", job: param(request, jobParam) }),
  /** `GET jobs?endpoint=E` lists one endpoint's jobs (its invokers may); without `endpoint`, every job (admin). */
  jobList: ((request) => {
    const endpoint = request.query.get("endpoint");
    return endpoint ? { kind: "endpoint", endpoint } : { kind: "admin" };
  }) satisfies RouteAccess,
};

/**
 * Wraps a handler so it runs only for callers `access` allows; refusals are error answers
 * (401 with `WWW-Authenticate: Bearer`, 403). `authorizer` is read on each call, so it can be built lazily.
 * The handler finds who called with `callerOf(request)`.
 */
export function guarded(authorizer: () => Authorizer, access: RouteAccess, handler: Handler): Handler {
  return handle(async (request, context) => {
    rememberCaller(request, await authorizer().authorize(request.headers, access(request)));
    return handler(request, context);
  });
}
