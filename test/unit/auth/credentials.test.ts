import { describe, expect, it } from "vitest";
import { looksLikeJwt, presentedCredentials } from "../../../src/auth/credentials.js";
import { hashSecretKey, matchesHash, newSecretKey, sameSecret } from "../../../src/auth/secret-keys.js";
import { BatchfnError } from "../../../src/errors.js";

const headers = (values: Record<string, string>) => new Headers(values);
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

describe("presentedCredentials", () => {
  it("reads x-functions-key and a Bearer key as keys, a Bearer JWT as a token", () => {
    expect(presentedCredentials(headers({ "x-functions-key": "k1" }))).toEqual({ keys: ["k1"] });
    expect(presentedCredentials(headers({ authorization: "Bearer k2" }))).toEqual({ keys: ["k2"] });
    expect(presentedCredentials(headers({ authorization: `bearer ${JWT}` }))).toEqual({
      keys: [],
      token: JWT,
    });
    expect(
      presentedCredentials(headers({ "x-functions-key": "k1", authorization: `Bearer ${JWT}` })),
    ).toEqual({
      keys: ["k1"],
      token: JWT,
    });
    expect(presentedCredentials(headers({}))).toEqual({ keys: [] });
  });

  it("refuses another scheme with Unauthenticated", () => {
    for (const value of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc"]) {
      let thrown: unknown;
      try {
        presentedCredentials(headers({ authorization: value }));
      } catch (error) {
        thrown = error;
      }
      expect(thrown, value).toBeInstanceOf(BatchfnError);
      expect((thrown as BatchfnError).code).toBe("Unauthenticated");
    }
  });

  it("tells JWTs (three base64url parts) from keys", () => {
    expect(looksLikeJwt(JWT)).toBe(true);
    expect(looksLikeJwt(newSecretKey())).toBe(false);
    expect(looksLikeJwt("a.b")).toBe(false);
    expect(looksLikeJwt("a.b.c.d")).toBe(false);
    expect(looksLikeJwt("a+b.c.d")).toBe(false);
  });
});

describe("secret keys", () => {
  it("makes 256-bit base64url keys, different each time", () => {
    const key = newSecretKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecretKey()).not.toBe(key);
  });

  it("stores a SHA-256 and recognises only the key it came from", () => {
    const key = newSecretKey();
    const hash = hashSecretKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key);
    expect(matchesHash(key, hash)).toBe(true);
    expect(matchesHash(`${key}x`, hash)).toBe(false);
    expect(matchesHash(key.slice(1), hash)).toBe(false);
    expect(matchesHash(key, "not-hex")).toBe(false);
  });

  it("compares secrets of any length", () => {
    expect(sameSecret("admin-key-0123456789", "admin-key-0123456789")).toBe(true);
    expect(sameSecret("admin-key-012345678", "admin-key-0123456789")).toBe(false);
    expect(sameSecret("", "")).toBe(false);
  });
});
