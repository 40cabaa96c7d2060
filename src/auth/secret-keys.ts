import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Keys are random 256-bit secrets; only their SHA-256 is ever stored. A plain hash is enough for
 * values with that much entropy (no password stretching needed), and comparing two hashes of the
 * same length with `timingSafeEqual` leaks nothing about either secret.
 */

/** A new key: 32 random bytes, base64url (43 characters, never three dot-separated parts like a JWT). */
export function newSecretKey(): string {
  return randomBytes(32).toString("base64url");
}

/** The SHA-256 of a key, hex: what is stored in place of the key. */
export function hashSecretKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Whether `key` is the key whose hash is `hash`, in constant time. */
export function matchesHash(key: string, hash: string): boolean {
  const expected = Buffer.from(hash, "hex");
  const given = createHash("sha256").update(key, "utf8").digest();
  return expected.length === given.length && timingSafeEqual(given, expected);
}

/** Whether two secrets are equal, in constant time whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  return expected !== "" && matchesHash(given, hashSecretKey(expected));
}
