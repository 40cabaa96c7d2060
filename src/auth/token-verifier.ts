import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTVerifyGetKey,
  errors as jose,
  jwtVerify,
} from "jose";
import { z } from "zod";
import type { AuthConfig } from "../config.js";
import { errors } from "../errors.js";

/** The identity a verified token carries. */
export interface TokenIdentity {
  /** `oid` (Entra object id) when present, else `sub`. */
  subject: string;
  roles: string[];
}

/** Verifies bearer JWTs; `Unauthenticated` (401) for any token that is not good. */
export interface TokenVerifier {
  verify(token: string): Promise<TokenIdentity>;
}

export interface TokenVerifierOptions {
  /** Signing keys; default: the JWKS at `settings.jwksUrl`, fetched and cached by jose. */
  keys?: JWTVerifyGetKey;
  /** Allowed clock skew for `exp` and `nbf` (default 60 s). */
  clockToleranceSeconds?: number;
}

/** Entra ID signs with RS256; the others are accepted for other OpenID Connect issuers. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"];

const claimsSchema = z.object({
  sub: z.string().optional(),
  oid: z.string().optional(),
  roles: z.array(z.string()).default([]),
});

/** Builds the verifier for the configured issuers, audiences and JWKS URL (Entra ID in Azure). */
export function createTokenVerifier(
  settings: NonNullable<AuthConfig["token"]>,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  const keys = options.keys ?? createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 10_000 });
  return {
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: settings.issuers,
          audience: settings.audiences,
          algorithms: ALGORITHMS,
          requiredClaims: ["exp"],
          clockTolerance: options.clockToleranceSeconds ?? 60,
        }));
      } catch (thrown) {
        throw refusal(thrown, token, settings);
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success)
        throw errors.unauthenticated("The bearer token's 'roles' claim is not a list of strings.");
      return { subject: claims.data.oid ?? claims.data.sub ?? "unknown", roles: claims.data.roles };
    },
  };
}

/** Why a token was refused, as `Unauthenticated`; a JWKS that cannot be read is `AuthUnavailable`. */
function refusal(thrown: unknown, token: string, settings: NonNullable<AuthConfig["token"]>): Error {
  if (thrown instanceof jose.JWTExpired) {
    return errors.unauthenticated(`The bearer token has expired${at(thrown.payload.exp)}; get a new one.`);
  }
  if (thrown instanceof jose.JWTClaimValidationFailed) {
    const { claim, payload } = thrown;
    if (claim === "nbf")
      return errors.unauthenticated(`The bearer token is not valid yet${at(payload.nbf)}.`);
    if (claim === "iss") {
      return errors.unauthenticated(
        `The bearer token was issued by '${String(payload.iss)}', which this app does not accept (BATCHFN_AUTH_ISSUER: ${settings.issuers.join(", ")}).`,
      );
    }
    if (claim === "aud") {
      return errors.unauthenticated(
        `The bearer token is for audience '${String(payload.aud)}', not this app's (BATCHFN_AUTH_AUDIENCE: ${settings.audiences.join(", ")}).`,
      );
    }
    return errors.unauthenticated(`The bearer token's '${claim}' claim is not valid: ${thrown.message}.`);
  }
  if (thrown instanceof jose.JWSSignatureVerificationFailed) {
    return errors.unauthenticated("The bearer token's signature does not verify.");
  }
  if (thrown instanceof jose.JWKSNoMatchingKey) {
    return errors.unauthenticated(
      `The bearer token is signed with key id '${keyId(token)}', which the JWKS at ${settings.jwksUrl} does not publish.`,
    );
  }
  if (thrown instanceof jose.JOSEAlgNotAllowed) {
    return errors.unauthenticated(
      `The bearer token's algorithm is not accepted (use one of ${ALGORITHMS.join(", ")}).`,
    );
  }
  if (
    thrown instanceof jose.JWSInvalid ||
    thrown instanceof jose.JWTInvalid ||
    thrown instanceof jose.JOSENotSupported ||
    thrown instanceof jose.JWKSMultipleMatchingKeys
  ) {
    return errors.unauthenticated(`The bearer token is not a valid signed JWT: ${thrown.message}.`);
  }
  return errors.authUnavailable(
    `The signing keys at ${settings.jwksUrl} (BATCHFN_AUTH_JWKS_URL) could not be read: ${String(thrown)}`,
    thrown,
  );
}

function at(seconds: unknown): string {
  return typeof seconds === "number" ? ` (${new Date(seconds * 1000).toISOString()})` : "";
}

function keyId(token: string): string {
  try {
    return decodeProtectedHeader(token).kid ?? "(none)";
  } catch {
    return "(unreadable)";
  }
}
