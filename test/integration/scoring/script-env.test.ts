import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundledFixture, fixturePool, inputFiles, miniBatch } from "./scoring-fixtures.js";

/** Secrets the app's own environment holds (as in Azure and in the local host). */
const SECRETS = {
  AzureWebJobsStorage:
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0LWFjY291bnQta2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;",
  BATCHFN_ADMIN_KEY: "admin-key-that-scripts-must-not-see",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-0000-0000-000000000000",
  SOME_APP_SETTING: "app-setting-value",
};
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  for (const [key, value] of Object.entries(SECRETS)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});

afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe("the environment a scoring script sees", () => {
  it("holds the deployment's variables and the documented ones, never the app's settings or secrets", async () => {
    const { pool, modelDir, outputDir } = await fixturePool({
      script: await bundledFixture("env-probe", "score.mjs"),
      env: { DEPLOYMENT_SETTING: "from-deployment" },
    });
    const hostPath = process.env.PATH;
    const { result } = await pool.run(miniBatch(0, await inputFiles({ "a.txt": "" })));
    const row = result.rows[0];
    if (typeof row !== "object") throw new Error("expected a record");
    const env = row.env as Record<string, string>;
    expect(env).toMatchObject({
      DEPLOYMENT_SETTING: "from-deployment",
      AZUREML_MODEL_DIR: modelDir,
      BATCHFN_MODEL_DIR: modelDir,
      AZUREML_BI_OUTPUT_PATH: outputDir,
    });
    for (const key of Object.keys(SECRETS)) expect(env).not.toHaveProperty(key);
    const everything = JSON.stringify(env);
    for (const value of Object.values(SECRETS)) expect(everything).not.toContain(value);
    const allowed =
      /^(DEPLOYMENT_SETTING|AZUREML_\w+|BATCHFN_MODEL_DIR|PATH|HOME|USER|LANG|LC_\w+|TZ|TMPDIR|TEMP|TMP|SYSTEMROOT|WINDIR)$/;
    expect(Object.keys(env).filter((key) => !allowed.test(key))).toEqual([]);
    expect(process.env.SET_BY_SCRIPT).toBeUndefined();
    expect(process.env.PATH).toBe(hostPath);
  });

  it("lets a deployment's environment_variables set a name the host also uses, for the script only", async () => {
    const { pool } = await fixturePool({
      script: await bundledFixture("env-probe", "score.mjs"),
      env: { SOME_APP_SETTING: "the-deployment's-own" },
    });
    const { result } = await pool.run(miniBatch(0, await inputFiles({ "a.txt": "" })));
    const row = result.rows[0];
    if (typeof row !== "object") throw new Error("expected a record");
    expect(row.env).toMatchObject({ SOME_APP_SETTING: "the-deployment's-own" });
    expect(process.env.SOME_APP_SETTING).toBe(SECRETS.SOME_APP_SETTING);
  });
});
