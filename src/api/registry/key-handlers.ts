import { z } from "zod";
import { ROLES } from "../../auth/roles.js";
import { errors } from "../../errors.js";
import type { KeyType } from "../../registry/registry.js";
import type { Endpoint } from "../../spec/resources.js";
import { type Handler, handle, json, readBody } from "../http.js";
import type { RegistryApiDependencies } from "./dependencies.js";
import { routeName } from "./route-params.js";

/** `GET batch-endpoints/{name}/credentials` (also `POST .../listkeys`) and `POST .../regenerate-keys`. */
export interface KeyHandlers {
  credentials: Handler;
  regenerate: Handler;
}

const keyType = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(["primary", "secondary"], "must be Primary or Secondary"));

const regenerateBody = z
  .object({ keyType: keyType.optional(), key_type: keyType.optional() })
  .optional()
  .transform((body): KeyType[] => {
    const chosen = body?.keyType ?? body?.key_type;
    return chosen === undefined ? [] : [chosen];
  });

/**
 * How callers authenticate to an endpoint. Keys are stored only as hashes: `credentials` says when
 * each was made, never the key; the keys are shown once, when the endpoint is created with
 * `auth_mode: key` and when they are regenerated.
 */
export function createKeyHandlers(deps: RegistryApiDependencies): KeyHandlers {
  const { registry } = deps;
  const endpointOf = async (name: string): Promise<Endpoint> =>
    (await registry.endpoints.show(name)).resource;

  return {
    credentials: handle(async (request) => {
      const endpoint = await endpointOf(routeName(request, "name", "resource"));
      if (endpoint.auth_mode === "key") {
        const keys = await registry.endpointKeys.describe(endpoint.name);
        return json(200, {
          auth_mode: "key",
          keys: keys ?? null,
          message: keys
            ? "Keys are stored only as hashes and were shown when they were made; POST regenerate-keys to get new ones."
            : "This endpoint has no keys yet; POST regenerate-keys to make them.",
        });
      }
      return json(200, {
        auth_mode: "aad_token",
        token: {
          issuers: deps.token?.issuers ?? [],
          audiences: deps.token?.audiences ?? [],
          roles: { invoke: ROLES.invoke, admin: ROLES.admin },
        },
        message: deps.token
          ? `Send 'Authorization: Bearer <token>' for one of the audiences, with the ${ROLES.invoke} role.`
          : "This app accepts no tokens (BATCHFN_AUTH_ISSUER is not set): only the admin key invokes this endpoint.",
      });
    }),

    regenerate: handle(async (request) => {
      const name = routeName(request, "name", "resource");
      const parsed = regenerateBody.safeParse(await readBody(request, { optional: true }));
      if (!parsed.success) {
        throw errors.invalidParameter("keyType", parsed.error.issues[0]?.message ?? "is not valid");
      }
      const endpoint = await endpointOf(name);
      if (endpoint.auth_mode !== "key") {
        throw errors.authModeMismatch(
          `Batch endpoint '${name}' uses auth_mode ${endpoint.auth_mode}; it has keys only with auth_mode key (set auth_mode: key first).`,
        );
      }
      const keys = await registry.endpointKeys.regenerate(name, parsed.data);
      return json(200, { auth_mode: "key", ...keys });
    }),
  };
}
