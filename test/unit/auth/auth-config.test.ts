import { describe, expect, it } from "vitest";
import { CONFIG_SETTINGS, loadConfig } from "../../../src/config.js";
import { BatchfnError } from "../../../src/errors.js";

const STORAGE = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...STORAGE, ...env });
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown.details.map((detail) => detail.path ?? "");
    throw thrown;
  }
  return [];
}

describe("the auth and input settings", () => {
  it("default to no admin key, no tokens and public URL inputs only", () => {
    const config = loadConfig(STORAGE);
    expect(config.auth).toEqual({});
    expect(config.inputs).toEqual({ allowPrivateUrls: false });
  });

  it("read the admin key, the token settings (comma-separated lists) and the private URL switch", () => {
    const config = loadConfig({
      ...STORAGE,
      BATCHFN_ADMIN_KEY: "0123456789abcdef",
      BATCHFN_AUTH_ISSUER: "https://login.microsoftonline.com/t/v2.0, https://sts.windows.net/t/",
      BATCHFN_AUTH_AUDIENCE: "api://batchfn,00000000-0000-0000-0000-000000000001",
      BATCHFN_AUTH_JWKS_URL: "https://login.microsoftonline.com/t/discovery/v2.0/keys",
      BATCHFN_ALLOW_PRIVATE_URL_INPUTS: "TRUE",
    });
    expect(config.auth).toEqual({
      adminKey: "0123456789abcdef",
      token: {
        issuers: ["https://login.microsoftonline.com/t/v2.0", "https://sts.windows.net/t/"],
        audiences: ["api://batchfn", "00000000-0000-0000-0000-000000000001"],
        jwksUrl: "https://login.microsoftonline.com/t/discovery/v2.0/keys",
      },
    });
    expect(config.inputs.allowPrivateUrls).toBe(true);
  });

  it("name each bad setting", () => {
    expect(problems({ BATCHFN_ADMIN_KEY: "short" })).toEqual(["BATCHFN_ADMIN_KEY"]);
    expect(problems({ BATCHFN_ADMIN_KEY: "has spaces in the key" })).toEqual(["BATCHFN_ADMIN_KEY"]);
    expect(problems({ BATCHFN_ALLOW_PRIVATE_URL_INPUTS: "yes" })).toEqual([
      "BATCHFN_ALLOW_PRIVATE_URL_INPUTS",
    ]);
    expect(
      problems({
        BATCHFN_AUTH_ISSUER: "not a url",
        BATCHFN_AUTH_AUDIENCE: "api://x",
        BATCHFN_AUTH_JWKS_URL: "http://keys.example.com/keys",
      }),
    ).toEqual(["BATCHFN_AUTH_ISSUER", "BATCHFN_AUTH_JWKS_URL"]);
  });

  it("need the issuer, the audience and the JWKS URL together", () => {
    expect(problems({ BATCHFN_AUTH_ISSUER: "https://login.example.com/t/v2.0" })).toEqual([
      "BATCHFN_AUTH_AUDIENCE",
      "BATCHFN_AUTH_JWKS_URL",
    ]);
    expect(problems({ BATCHFN_AUTH_JWKS_URL: "http://127.0.0.1:9/keys" })).toEqual([
      "BATCHFN_AUTH_ISSUER",
      "BATCHFN_AUTH_AUDIENCE",
    ]);
  });

  it("are listed among the optional settings", () => {
    expect(CONFIG_SETTINGS.optional).toEqual(
      expect.arrayContaining([
        "BATCHFN_ADMIN_KEY",
        "BATCHFN_AUTH_ISSUER",
        "BATCHFN_AUTH_AUDIENCE",
        "BATCHFN_AUTH_JWKS_URL",
        "BATCHFN_ALLOW_PRIVATE_URL_INPUTS",
      ]),
    );
  });
});
