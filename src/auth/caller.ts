import type { Principal } from "./roles.js";

/**
 * Who made a request, as the guard found out, for handlers that record it (a job's cancel says by
 * whom it came). Kept per request object, so it goes when the request does.
 */
const callers = new WeakMap<object, Principal>();

export function rememberCaller(request: object, principal: Principal): void {
  callers.set(request, principal);
}

export function callerOf(request: object): Principal | undefined {
  return callers.get(request);
}

/** The caller as a person reads it in a job log; never a key or a token. */
export function describeCaller(principal: Principal | undefined): string {
  if (!principal) return "an unauthenticated caller";
  const subject = principal.subject === undefined ? "" : ` '${principal.subject}'`;
  if (principal.kind === "admin") {
    return principal.via === "admin-key" ? "the admin key" : `an admin token (subject${subject})`;
  }
  if (principal.via === "endpoint-key") {
    return principal.endpoint === undefined ? "an endpoint key" : `a key of endpoint '${principal.endpoint}'`;
  }
  return `an invoker token (subject${subject})`;
}
