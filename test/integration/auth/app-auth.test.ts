import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../../src/config.js";
import { createStorageClients } from "../../../src/storage/clients.js";
import { type Answer, call, TEST_ADMIN_KEY } from "../../support/app-client.js";
import { type AppProcess, appSettings, startAppProcess } from "../../support/app-process.js";
import { deployTaxi, TRIP_INPUT } from "./deployment-fixture.js";
import { startTokenIssuer, type TokenIssuer } from "./token-issuer.js";

const ADMIN = "BatchEndpoint.Admin";
const INVOKE = "BatchEndpoint.Invoke";
const INPUT = { input: TRIP_INPUT };

let app: AppProcess;
let issuer: TokenIssuer;
let keys: { primaryKey: string; secondaryKey: string };
let settings: Record<string, string>;

const keysSchema = z.object({ primaryKey: z.string().min(40), secondaryKey: z.string().min(40) });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const url = (path: string) => `${app.url}/api/${path}`;
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
/** Calls the app with only the given credential headers (no admin key). */
const as = (headers: Record<string, string>, path: string, init: { method?: string; body?: unknown } = {}) =>
  call(url(path), { ...init, headers, admin: false });
const asAdmin = (path: string, init: { method?: string; body?: unknown } = {}) => call(url(path), init);

/** The status and error code of an answer, to compare with one `toEqual`. */
function outcome(answer: Answer): { status: number; code?: string } {
  const parsed = errorSchema.safeParse(answer.body);
  return parsed.success ? { status: answer.status, code: parsed.data.error.code } : { status: answer.status };
}

beforeAll(async () => {
  issuer = await startTokenIssuer();
  settings = {
    ...(await appSettings()),
    BATCHFN_AUTH_ISSUER: issuer.issuer,
    BATCHFN_AUTH_AUDIENCE: issuer.audience,
    BATCHFN_AUTH_JWKS_URL: issuer.jwksUrl,
  };
  app = await startAppProcess(settings);
  const created = await asAdmin("batch-endpoints/keyed", { method: "PUT", body: { auth_mode: "key" } });
  expect(created.status).toBe(201);
  keys = keysSchema.parse(created.body.keys);
  expect((await asAdmin("batch-endpoints/tokened", { method: "PUT", body: {} })).status).toBe(201);

  await deployTaxi(settings, ["keyed", "tokened"]);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await issuer?.close();
});

describe("Entra ID tokens (jose, JWKS on 127.0.0.1)", () => {
  it("lets a token with the Admin role manage the registry and invoke any endpoint", async () => {
    const token = await issuer.mint({ roles: [ADMIN] });
    expect(outcome(await as(bearer(token), "batch-endpoints"))).toEqual({ status: 200 });
    expect(outcome(await as(bearer(token), "models"))).toEqual({ status: 200 });
    expect(outcome(await as(bearer(token), "batch-endpoints/keyed/jobs", { body: INPUT }))).toEqual({
      status: 202,
    });
  });

  it("lets a token with the Invoke role invoke an aad_token endpoint and read its job, and nothing more", async () => {
    const token = await issuer.mint({ roles: [INVOKE] });
    const invoked = await as(bearer(token), "batch-endpoints/tokened/jobs", { body: INPUT });
    expect(outcome(invoked)).toEqual({ status: 202 });
    const job = String(invoked.body.name);
    expect(outcome(await as(bearer(token), `jobs/${job}`))).toEqual({ status: 200 });
    expect(outcome(await as(bearer(token), "jobs?endpoint=tokened"))).toEqual({ status: 200 });

    expect(outcome(await as(bearer(token), "batch-endpoints"))).toEqual({ status: 403, code: "Forbidden" });
    const put = await as(bearer(token), "batch-endpoints/tokened", { method: "PUT", body: {} });
    expect(outcome(put)).toEqual({ status: 403, code: "Forbidden" });
    expect(String(errorSchema.parse(put.body).error.message)).toContain(ADMIN);
    expect(outcome(await as(bearer(token), "jobs"))).toEqual({ status: 403, code: "Forbidden" });
    const keyed = await as(bearer(token), "batch-endpoints/keyed/jobs", { body: INPUT });
    expect(outcome(keyed)).toEqual({ status: 403, code: "Forbidden" });
    expect(String(errorSchema.parse(keyed.body).error.message)).toContain("auth_mode key");
  });

  it("refuses a valid token without either role with 403", async () => {
    const token = await issuer.mint({ roles: ["Something.Else"] });
    const answer = await as(bearer(token), "batch-endpoints/tokened/jobs", { body: INPUT });
    expect(outcome(answer)).toEqual({ status: 403, code: "Forbidden" });
  });

  it.each([
    ["expired", { expiresIn: -3600 }, "expired"],
    ["not yet valid", { notBefore: 3600 }, "not valid yet"],
    ["for another audience", { audience: "api://someone-else" }, "audience"],
    ["from another issuer", { issuer: "https://login.example.test/other-tenant/v2.0" }, "issued by"],
    ["with a bad signature", { signer: "unpublished" as const }, "signature"],
    ["signed with an unknown key id", { kid: "kid-unknown" }, "kid-unknown"],
  ])("refuses a token %s with 401 Unauthenticated and a Bearer challenge", async (_, options, words) => {
    const token = await issuer.mint({ roles: [ADMIN], ...options });
    const answer = await as(bearer(token), "batch-endpoints");
    expect(outcome(answer)).toEqual({ status: 401, code: "Unauthenticated" });
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(errorSchema.parse(answer.body).error.message).toContain(words);
  });

  it("refuses a request without credentials with 401 and a Bearer challenge, on every kind of route", async () => {
    for (const [path, init] of [
      ["batch-endpoints", {}],
      ["batch-endpoints/tokened/jobs", { body: INPUT }],
      ["batch-endpoints/keyed/jobs", { body: INPUT }],
      ["jobs/any-job", {}],
      ["jobs", {}],
    ] as const) {
      const answer = await as({}, path, init);
      expect(outcome(answer), path).toEqual({ status: 401, code: "Unauthenticated" });
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });
});

describe("auth_mode: key", () => {
  it("accepts the primary and the secondary key on the endpoint's invoke and job routes", async () => {
    for (const key of [keys.primaryKey, keys.secondaryKey]) {
      const invoked = await as({ "x-functions-key": key }, "batch-endpoints/keyed/jobs", { body: INPUT });
      expect(outcome(invoked)).toEqual({ status: 202 });
      const job = String(invoked.body.name);
      expect(outcome(await as(bearer(key), `jobs/${job}`))).toEqual({ status: 200 });
      expect(outcome(await as(bearer(key), `jobs/${job}/logs`))).toEqual({ status: 200 });
    }
    expect(outcome(await as(bearer(keys.primaryKey), "jobs?endpoint=keyed"))).toEqual({ status: 200 });
  });

  it("refuses a wrong key with 401, and the endpoint's keys elsewhere with 401 or 403", async () => {
    const wrong = await as({ "x-functions-key": "x".repeat(43) }, "batch-endpoints/keyed/jobs", {
      body: INPUT,
    });
    expect(outcome(wrong)).toEqual({ status: 401, code: "Unauthenticated" });
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const own = bearer(keys.primaryKey);
    expect(outcome(await as(own, "batch-endpoints/tokened/jobs", { body: INPUT }))).toEqual({
      status: 401,
      code: "Unauthenticated",
    });
    expect(
      outcome(await as(own, "batch-endpoints/keyed", { method: "PUT", body: { auth_mode: "key" } })),
    ).toEqual({ status: 403, code: "Forbidden" });
    expect(outcome(await as(own, "batch-endpoints"))).toEqual({ status: 401, code: "Unauthenticated" });
    expect(outcome(await as(own, "jobs"))).toEqual({ status: 401, code: "Unauthenticated" });
  });

  it("regenerates one key: the old one stops working at once, the other goes on", async () => {
    const created = await asAdmin("batch-endpoints/rotating", { method: "PUT", body: { auth_mode: "key" } });
    const before = keysSchema.parse(created.body.keys);
    const show = async (key: string) =>
      outcome(await as(bearer(key), "batch-endpoints/rotating/jobs", { body: {} }));
    // An empty body is refused after authentication (400), so 400 means "the key was accepted".
    expect(await show(before.primaryKey)).toEqual({ status: 400, code: "InvalidSpec" });

    const regenerated = await asAdmin("batch-endpoints/rotating/regenerate-keys", {
      body: { keyType: "Primary" },
    });
    expect(regenerated.status).toBe(200);
    const fresh = z.object({ primaryKey: z.string() }).parse(regenerated.body).primaryKey;
    expect(regenerated.body.secondaryKey).toBeUndefined();
    expect(fresh).not.toBe(before.primaryKey);
    expect(await show(before.primaryKey)).toEqual({ status: 401, code: "Unauthenticated" });
    expect(await show(fresh)).toEqual({ status: 400, code: "InvalidSpec" });
    expect(await show(before.secondaryKey)).toEqual({ status: 400, code: "InvalidSpec" });

    const both = keysSchema.parse(
      (await asAdmin("batch-endpoints/rotating/regenerate-keys", { body: {} })).body,
    );
    expect(await show(fresh)).toEqual({ status: 401, code: "Unauthenticated" });
    expect(await show(before.secondaryKey)).toEqual({ status: 401, code: "Unauthenticated" });
    expect(await show(both.secondaryKey)).toEqual({ status: 400, code: "InvalidSpec" });
  });

  it("shows keys only when they are made; credentials and the stored row hold no key", async () => {
    const credentials = await asAdmin("batch-endpoints/keyed/credentials");
    expect(credentials.status).toBe(200);
    expect(credentials.body).toMatchObject({ auth_mode: "key", keys: { primary: {}, secondary: {} } });
    const listed = await asAdmin("batch-endpoints/keyed/listkeys", { method: "POST" });
    expect(listed.body).toEqual(credentials.body);
    const shown = JSON.stringify([credentials.body, (await asAdmin("batch-endpoints/keyed")).body]);
    expect(shown).not.toContain(keys.primaryKey);
    expect(shown).not.toContain(keys.secondaryKey);

    const config = loadConfig(settings);
    const table = createStorageClients(config.storage).table(`${config.tablePrefix}EndpointKeys`);
    const rows = [];
    for await (const row of table.listEntities()) rows.push(JSON.stringify(row));
    expect(rows.join("\n")).not.toContain(keys.primaryKey);
    expect(rows.join("\n")).toMatch(/[0-9a-f]{64}/);

    const tokened = await asAdmin("batch-endpoints/tokened/credentials");
    expect(tokened.body).toMatchObject({
      auth_mode: "aad_token",
      token: { issuers: [issuer.issuer], audiences: [issuer.audience] },
    });
    expect(outcome(await asAdmin("batch-endpoints/tokened/regenerate-keys", { body: {} }))).toEqual({
      status: 409,
      code: "AuthModeMismatch",
    });
  });

  it("gives an endpoint created again under the same name new keys; the old ones are refused", async () => {
    const first = keysSchema.parse(
      (await asAdmin("batch-endpoints/reborn", { method: "PUT", body: { auth_mode: "key" } })).body.keys,
    );
    expect((await asAdmin("batch-endpoints/reborn", { method: "DELETE" })).status).toBe(204);
    const second = keysSchema.parse(
      (await asAdmin("batch-endpoints/reborn", { method: "PUT", body: { auth_mode: "key" } })).body.keys,
    );
    expect(second.primaryKey).not.toBe(first.primaryKey);
    const answer = await as(bearer(first.primaryKey), "batch-endpoints/reborn/jobs", { body: {} });
    expect(outcome(answer)).toEqual({ status: 401, code: "Unauthenticated" });
  });

  it("drops the keys of an endpoint switched to aad_token", async () => {
    const made = keysSchema.parse(
      (await asAdmin("batch-endpoints/switcher", { method: "PUT", body: { auth_mode: "key" } })).body.keys,
    );
    const switched = await asAdmin("batch-endpoints/switcher", {
      method: "PUT",
      body: { auth_mode: "aad_token" },
    });
    expect(switched.status).toBe(200);
    expect(switched.body.keys).toBeUndefined();
    const answer = await as(bearer(made.primaryKey), "batch-endpoints/switcher/jobs", { body: {} });
    expect(outcome(answer)).toEqual({ status: 401, code: "Unauthenticated" });
  });
});

describe("the host admin key", () => {
  it("passes every route as x-functions-key and as a Bearer value", async () => {
    for (const headers of [{ "x-functions-key": TEST_ADMIN_KEY }, bearer(TEST_ADMIN_KEY)]) {
      expect(outcome(await as(headers, "batch-endpoints"))).toEqual({ status: 200 });
      expect(outcome(await as(headers, "jobs"))).toEqual({ status: 200 });
      expect(outcome(await as(headers, "batch-endpoints/keyed/credentials"))).toEqual({ status: 200 });
      const invoked = await as(headers, "batch-endpoints/tokened/jobs", { body: INPUT });
      expect(outcome(invoked)).toEqual({ status: 202 });
      expect(outcome(await as(headers, `jobs/${String(invoked.body.name)}/outputs`))).toEqual({
        status: 200,
      });
    }
  });

  it("refuses another scheme than Bearer and a near miss of the admin key", async () => {
    const basic = await as({ authorization: `Basic ${TEST_ADMIN_KEY}` }, "batch-endpoints");
    expect(outcome(basic)).toEqual({ status: 401, code: "Unauthenticated" });
    const near = await as({ "x-functions-key": `${TEST_ADMIN_KEY}x` }, "batch-endpoints");
    expect(outcome(near)).toEqual({ status: 401, code: "Unauthenticated" });
  });
});
