import { errors } from "../errors.js";

/** What a request presents: keys (`x-functions-key`, a non-JWT bearer value) and a bearer JWT. */
export interface PresentedCredentials {
  keys: string[];
  token?: string;
}

/** The headers a request carries (the Fetch `Headers` of `HttpRequest`). */
export interface HeaderSource {
  get(name: string): string | null;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Whether a bearer value is shaped like a JWT (three base64url parts); anything else is a key. */
export function looksLikeJwt(value: string): boolean {
  return JWT_SHAPE.test(value);
}

/**
 * Reads the credentials of a request: `Authorization: Bearer <token or key>` and
 * `x-functions-key: <key>`. Another `Authorization` scheme is `Unauthenticated`.
 */
export function presentedCredentials(headers: HeaderSource): PresentedCredentials {
  const keys: string[] = [];
  let token: string | undefined;
  const functionsKey = headers.get("x-functions-key")?.trim();
  if (functionsKey) keys.push(functionsKey);
  const authorization = headers.get("authorization")?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) {
      throw errors.unauthenticated(
        "The Authorization header must be 'Bearer <token or key>'; other schemes are not accepted.",
      );
    }
    if (looksLikeJwt(match[1])) token = match[1];
    else keys.push(match[1]);
  }
  return token === undefined ? { keys } : { keys, token };
}
