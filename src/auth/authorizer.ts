import type { AuthConfig } from "../config.js";
import { errors } from "../errors.js";
import type { AuthMode } from "../spec/resources.js";
import { type HeaderSource, presentedCredentials } from "./credentials.js";
import { type Access, type Principal, ROLES } from "./roles.js";
import { sameSecret } from "./secret-keys.js";
import { createTokenVerifier, type TokenIdentity, type TokenVerifier } from "./token-verifier.js";

/** What the authorizer reads about endpoints and jobs (the registry and job records, behind a port). */
export interface AuthDirectory {
  /** The endpoint's `auth_mode`; undefined when there is no such endpoint. */
  authMode(endpoint: string): Promise<AuthMode | undefined>;
  /** Whether `key` is the endpoint's primary or secondary key. */
  keyMatches(endpoint: string, key: string): Promise<boolean>;
  /** The endpoint a job was started on; undefined when there is no such job. */
  jobEndpoint(job: string): Promise<string | undefined>;
}

export interface AuthorizerDependencies {
  config: AuthConfig;
  directory: AuthDirectory;
  /** Default: built from `config.token` when it is set. */
  tokens?: TokenVerifier;
}

/** Decides whether a request may do what its route does. */
export interface Authorizer {
  /**
   * Identifies the caller and checks `access`: `Unauthenticated` (401) when no credential is good,
   * `Forbidden` (403) when a good one does not allow it, `AuthUnavailable` (503) when the token
   * signing keys cannot be read.
   */
  authorize(headers: HeaderSource, access: Access): Promise<Principal>;
}

const HOW = "send 'Authorization: Bearer <token or key>' or 'x-functions-key: <key>'";

/**
 * The rules: the host admin key and tokens with the Admin role pass everywhere. An endpoint with
 * `auth_mode: key` takes its own keys on its invoke and job routes; one with `aad_token` takes tokens
 * with the Invoke role there. Registry routes need the admin key or the Admin role.
 */
export function createAuthorizer(deps: AuthorizerDependencies): Authorizer {
  const { config, directory } = deps;
  const tokens = deps.tokens ?? (config.token ? createTokenVerifier(config.token) : undefined);

  const identify = async (token: string): Promise<TokenIdentity> => {
    if (!tokens) {
      throw errors.unauthenticated(
        "This app accepts no bearer tokens (BATCHFN_AUTH_ISSUER is not set); send a key instead.",
      );
    }
    return tokens.verify(token);
  };

  const endpointOf = async (access: Access): Promise<string | undefined> => {
    if (access.kind === "job") return directory.jobEndpoint(access.job);
    return access.endpoint;
  };

  const anyEndpointKey = async (endpoint: string, keys: readonly string[]): Promise<boolean> => {
    for (const key of keys) if (await directory.keyMatches(endpoint, key)) return true;
    return false;
  };

  return {
    async authorize(headers, access) {
      const presented = presentedCredentials(headers);
      if (presented.keys.length === 0 && presented.token === undefined) {
        throw errors.unauthenticated(`This route needs a credential: ${HOW}.`);
      }
      const { adminKey } = config;
      if (adminKey !== undefined && presented.keys.some((key) => sameSecret(key, adminKey))) {
        return { kind: "admin", via: "admin-key" };
      }
      const identity = presented.token === undefined ? undefined : await identify(presented.token);
      if (identity?.roles.includes(ROLES.admin)) {
        return { kind: "admin", via: "token", subject: identity.subject };
      }
      const endpoint = await endpointOf(access);
      if (identity) return invokerByToken(identity, access, endpoint, directory);

      const mode = endpoint === undefined ? undefined : await directory.authMode(endpoint);
      const isEndpointKey =
        endpoint !== undefined && mode === "key" && (await anyEndpointKey(endpoint, presented.keys));
      if (access.kind === "admin") {
        if (isEndpointKey) {
          throw errors.forbidden(
            `The keys of batch endpoint '${endpoint}' invoke it and read its jobs; managing it needs the admin key or a token with the ${ROLES.admin} role.`,
          );
        }
        throw errors.unauthenticated(
          `The key is not the admin key; this route needs the admin key or a token with the ${ROLES.admin} role.`,
        );
      }
      if (isEndpointKey) return { kind: "invoker", via: "endpoint-key", endpoint };
      if (mode === "aad_token") {
        throw errors.unauthenticated(
          `Batch endpoint '${endpoint}' uses auth_mode aad_token: send 'Authorization: Bearer <token>' with the ${ROLES.invoke} role, or the admin key.`,
        );
      }
      const target = access.kind === "job" ? `job '${access.job}'` : `batch endpoint '${endpoint}'`;
      throw errors.unauthenticated(
        `The key is not valid for ${target} (not one of its keys, not the admin key).`,
      );
    },
  };
}

/** A verified token without the Admin role: it needs the Invoke role, and an `aad_token` endpoint. */
async function invokerByToken(
  identity: TokenIdentity,
  access: Access,
  endpoint: string | undefined,
  directory: AuthDirectory,
): Promise<Principal> {
  const who = `The caller '${identity.subject}'`;
  if (access.kind === "admin") {
    throw errors.forbidden(`${who} has no ${ROLES.admin} role, which this route needs.`);
  }
  if (!identity.roles.includes(ROLES.invoke)) {
    throw errors.forbidden(`${who} has neither the ${ROLES.invoke} nor the ${ROLES.admin} role.`);
  }
  const mode = endpoint === undefined ? undefined : await directory.authMode(endpoint);
  if (mode === "key") {
    throw errors.forbidden(
      `Batch endpoint '${endpoint}' uses auth_mode key: send one of its keys (a token with the ${ROLES.admin} role also passes).`,
    );
  }
  return { kind: "invoker", via: "token", endpoint, subject: identity.subject };
}
