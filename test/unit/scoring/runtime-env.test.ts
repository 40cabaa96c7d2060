import { describe, expect, it } from "vitest";
import type { RuntimeSpec } from "../../../src/scoring/runtime.js";
import { runtimeEnv, workerEnv } from "../../../src/scoring/runtime-env.js";

const spec: RuntimeSpec = {
  kind: "script",
  scriptPath: "/bundles/score.mjs",
  modelDir: "/models/m1",
  outputDir: "/outputs/shared",
  env: { LABELS: "a,b", TZ: "Europe/Paris" },
};

const host = {
  PATH: "/usr/bin",
  HOME: "/home/app",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TMPDIR: "/tmp",
  TZ: "UTC",
  AzureWebJobsStorage: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=secret",
  BATCHFN_ADMIN_KEY: "admin",
  BATCHFN_DATA_CONTAINER: "data",
  AZURE_CLIENT_ID: "id",
  HTTPS_PROXY: "http://user:password@proxy:3128",
  NODE_OPTIONS: "--max-old-space-size=4096",
};

describe("workerEnv: the environment a scoring script sees", () => {
  it("keeps the host's system variables and adds the contract's, and nothing else of the host", () => {
    expect(workerEnv(spec, host)).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/app",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TMPDIR: "/tmp",
      TZ: "Europe/Paris",
      LABELS: "a,b",
      AZUREML_MODEL_DIR: "/models/m1",
      BATCHFN_MODEL_DIR: "/models/m1",
      AZUREML_BI_OUTPUT_PATH: "/outputs/shared",
    });
  });

  it("gives context.env the contract's variables only", () => {
    expect(runtimeEnv(spec)).toEqual({
      LABELS: "a,b",
      TZ: "Europe/Paris",
      AZUREML_MODEL_DIR: "/models/m1",
      BATCHFN_MODEL_DIR: "/models/m1",
      AZUREML_BI_OUTPUT_PATH: "/outputs/shared",
    });
  });
});
