import { describe, expect, it } from "vitest";
import { type AuthDirectory, createAuthorizer } from "../../../src/auth/authorizer.js";
import type { Access } from "../../../src/auth/roles.js";
import type { TokenVerifier } from "../../../src/auth/token-verifier.js";
import { BatchfnError, errors } from "../../../src/errors.js";

const ADMIN_KEY = "admin-key-0123456789abcdef";
const KEYED_KEY = "keyed-endpoint-key-0123456789";

/** Two endpoints (one per auth mode) and two jobs, one on each. */
const directory: AuthDirectory = {
  authMode: async (endpoint) => ({ keyed: "key" as const, tokened: "aad_token" as const })[endpoint],
  keyMatches: async (endpoint, key) => endpoint === "keyed" && key === KEYED_KEY,
  jobEndpoint: async (job) => ({ "keyed-job": "keyed", "tokened-job": "tokened" })[job],
};

/** Tokens are `hdr.<roles>.sig` here: `A` is the Admin role, `I` Invoke; `hdr.bad.sig` fails verification. */
const tokens: TokenVerifier = {
  async verify(token) {
    const roles = token.split(".")[1] ?? "";
    if (roles === "bad") throw errors.unauthenticated("The bearer token has expired.");
    const names = { A: "BatchEndpoint.Admin", I: "BatchEndpoint.Invoke" } as Record<string, string>;
    return { subject: "someone", roles: [...roles].flatMap((letter) => names[letter] ?? []) };
  },
};

const authorizer = createAuthorizer({ config: { adminKey: ADMIN_KEY }, directory, tokens });

async function decide(headers: Record<string, string>, access: Access): Promise<string> {
  try {
    const principal = await authorizer.authorize(new Headers(headers), access);
    return principal.kind;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return `${thrown.status} ${thrown.code}`;
    throw thrown;
  }
}

const admin: Access = { kind: "admin" };
const manageKeyed: Access = { kind: "admin", endpoint: "keyed" };
const invokeKeyed: Access = { kind: "endpoint", endpoint: "keyed" };
const invokeTokened: Access = { kind: "endpoint", endpoint: "tokened" };
const keyedJob: Access = { kind: "job", job: "keyed-job" };
const tokenedJob: Access = { kind: "job", job: "tokened-job" };
const missingJob: Access = { kind: "job", job: "missing-job" };
const missingEndpoint: Access = { kind: "endpoint", endpoint: "missing" };

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
const invokerToken = bearer("hdr.I.sig");
const adminToken = bearer("hdr.A.sig");
const rolelessToken = bearer("hdr.none.sig");

describe("the authorization rules", () => {
  it.each([
    [
      "the admin key as x-functions-key",
      { "x-functions-key": ADMIN_KEY },
      [admin, invokeKeyed, keyedJob, missingJob],
    ],
    ["the admin key as Bearer", bearer(ADMIN_KEY), [admin, invokeTokened, tokenedJob, missingEndpoint]],
    ["an Admin token", adminToken, [admin, manageKeyed, invokeKeyed, keyedJob, tokenedJob]],
  ])("%s passes every route", async (_, headers, accesses) => {
    for (const access of accesses)
      expect(await decide(headers, access), JSON.stringify(access)).toBe("admin");
  });

  it.each<[string, Record<string, string>, Access, string]>([
    ["an Invoke token on an aad_token endpoint", invokerToken, invokeTokened, "invoker"],
    ["an Invoke token on its job", invokerToken, tokenedJob, "invoker"],
    ["an Invoke token on a missing job (the handler answers 404)", invokerToken, missingJob, "invoker"],
    ["an Invoke token on a key endpoint", invokerToken, invokeKeyed, "403 Forbidden"],
    ["an Invoke token on a key endpoint's job", invokerToken, keyedJob, "403 Forbidden"],
    ["an Invoke token on a registry route", invokerToken, admin, "403 Forbidden"],
    ["a token without roles", rolelessToken, invokeTokened, "403 Forbidden"],
    ["a token that fails verification", bearer("hdr.bad.sig"), invokeTokened, "401 Unauthenticated"],
    ["the endpoint key on its endpoint", { "x-functions-key": KEYED_KEY }, invokeKeyed, "invoker"],
    ["the endpoint key as Bearer on its job", bearer(KEYED_KEY), keyedJob, "invoker"],
    ["the endpoint key managing its endpoint", bearer(KEYED_KEY), manageKeyed, "403 Forbidden"],
    ["the endpoint key on a global route", bearer(KEYED_KEY), admin, "401 Unauthenticated"],
    ["the endpoint key on another endpoint", bearer(KEYED_KEY), invokeTokened, "401 Unauthenticated"],
    ["the endpoint key on another endpoint's job", bearer(KEYED_KEY), tokenedJob, "401 Unauthenticated"],
    ["the endpoint key on a missing job", bearer(KEYED_KEY), missingJob, "401 Unauthenticated"],
    ["a wrong key", bearer("wrong-key-0123456789abcdef"), invokeKeyed, "401 Unauthenticated"],
    [
      "a wrong key on a missing endpoint",
      bearer("wrong-key-0123456789abcdef"),
      missingEndpoint,
      "401 Unauthenticated",
    ],
    ["no credential", {}, invokeKeyed, "401 Unauthenticated"],
    ["another scheme", { authorization: `Basic ${ADMIN_KEY}` }, admin, "401 Unauthenticated"],
  ])("%s: %s", async (_, headers, access, expected) => {
    expect(await decide(headers, access)).toBe(expected);
  });

  it("refuses tokens when no issuer is configured, and keys when no admin key is", async () => {
    const keysOnly = createAuthorizer({ config: {}, directory });
    await expect(keysOnly.authorize(new Headers(adminToken), admin)).rejects.toMatchObject({
      code: "Unauthenticated",
      message: expect.stringContaining("BATCHFN_AUTH_ISSUER"),
    });
    await expect(keysOnly.authorize(new Headers(bearer(ADMIN_KEY)), admin)).rejects.toMatchObject({
      code: "Unauthenticated",
    });
    await expect(keysOnly.authorize(new Headers(bearer(KEYED_KEY)), invokeKeyed)).resolves.toMatchObject({
      kind: "invoker",
      endpoint: "keyed",
    });
  });
});
