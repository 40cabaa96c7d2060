/**
 * The app roles batchfn reads from the `roles` claim of Entra ID tokens (define them on the app
 * registration and assign them to users, groups or managed identities).
 */
export const ROLES = {
  /** Everything: the registry (endpoints, deployments, models, data, datastores) and every job. */
  admin: "BatchEndpoint.Admin",
  /** Invoke `aad_token` endpoints and read and cancel their jobs. */
  invoke: "BatchEndpoint.Invoke",
} as const;

/** What a route asks of its caller. */
export type Access =
  /** Managing the registry; `endpoint` names the endpoint a route manages, if any. */
  | { kind: "admin"; endpoint?: string }
  /** Invoking an endpoint (or listing its jobs). */
  | { kind: "endpoint"; endpoint: string }
  /** Reading or cancelling a job: allowed to whoever may invoke the job's endpoint. */
  | { kind: "job"; job: string };

/** Who the caller turned out to be. */
export type Principal =
  | { kind: "admin"; via: "admin-key" | "token"; subject?: string }
  | { kind: "invoker"; via: "endpoint-key" | "token"; endpoint?: string; subject?: string };
