import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { BatchfnError } from "../../../src/errors.js";
import {
  checkSettingLimits,
  machineConcurrencyLimit,
  SETTING_CAPS,
  type SettingLimits,
  settingLimits,
} from "../../../src/spec/setting-limits.js";

const GiB = 1024 ** 3;
const limits: SettingLimits = settingLimits({ maxConcurrencyPerInstance: 8, source: "test" });

function refusal(run: () => void): BatchfnError {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("the settings were accepted");
}

describe("the bounds of the settings that size resources", () => {
  it("derives the scoring workers per instance from the machine's cores and memory", () => {
    expect(machineConcurrencyLimit({ cores: 2, memoryBytes: 24 * GiB })).toBe(8);
    expect(machineConcurrencyLimit({ cores: 32, memoryBytes: 4 * GiB })).toBe(16);
    expect(machineConcurrencyLimit({ cores: 1, memoryBytes: 0.1 * GiB })).toBe(1);
  });

  it("takes BATCHFN_MAX_CONCURRENCY_PER_INSTANCE over the machine's figure, within 1-1024", () => {
    const base = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
    expect(loadConfig({ ...base, BATCHFN_MAX_CONCURRENCY_PER_INSTANCE: "3" }).limits).toMatchObject({
      max_concurrency_per_instance: 3,
    });
    expect(loadConfig(base).limits.max_concurrency_per_instance).toBeGreaterThanOrEqual(1);
    for (const bad of ["0", "1025", "two", "1.5"]) {
      expect(() => loadConfig({ ...base, BATCHFN_MAX_CONCURRENCY_PER_INSTANCE: bad })).toThrow(
        /BATCHFN_MAX_CONCURRENCY_PER_INSTANCE/,
      );
    }
  });

  it("bounds worker_memory_mb by the machine's memory", () => {
    const base = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
    expect(loadConfig(base, { memoryBytes: 2 * GiB }).limits.worker_memory_mb).toBe(2048);
    expect(loadConfig(base, { memoryBytes: 512 * GiB }).limits.worker_memory_mb).toBe(65_536);
    const error = refusal(() =>
      checkSettingLimits({ worker_memory_mb: 4096 }, loadConfig(base, { memoryBytes: 2 * GiB }).limits, {
        what: "invocation",
        pathOf: (field) => field,
      }),
    );
    expect(error.details.map((d) => d.path)).toEqual(["worker_memory_mb"]);
    expect(error.message).toContain("worker_memory_mb is 4096; at most 2048 MB");
  });

  it("keeps every cap a timer can hold", () => {
    expect(SETTING_CAPS.timeout * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it("accepts settings at their bounds", () => {
    expect(() =>
      checkSettingLimits(
        {
          instance_count: limits.instance_count,
          max_concurrency_per_instance: 8,
          mini_batch_size: limits.mini_batch_size,
          mini_batch_rows: limits.mini_batch_rows,
          max_retries: limits.max_retries,
          timeout: limits.timeout,
        },
        limits,
        { what: "invocation", pathOf: (field) => field },
      ),
    ).not.toThrow();
  });

  it("refuses every setting above its bound at once, naming the field and the bound", () => {
    const error = refusal(() =>
      checkSettingLimits(
        {
          instance_count: 100_000_000,
          max_concurrency_per_instance: 100_000,
          mini_batch_size: limits.mini_batch_size + 1,
          mini_batch_rows: limits.mini_batch_rows + 1,
          max_retries: limits.max_retries + 1,
          timeout: 2_147_484,
        },
        limits,
        { what: "invocation", pathOf: (field) => `x.${field}` },
      ),
    );
    expect(error).toMatchObject({ code: "LimitExceeded", status: 400 });
    expect(error.details.map((d) => d.path)).toEqual([
      "x.instance_count",
      "x.max_concurrency_per_instance",
      "x.mini_batch_size",
      "x.mini_batch_rows",
      "x.max_retries",
      "x.timeout",
    ]);
    expect(error.message).toContain("x.max_concurrency_per_instance is 100000");
    expect(error.message).toContain("at most 8");
    expect(error.message).toContain(`x.timeout is 2147484`);
    expect(error.message).toContain(`at most ${limits.timeout}`);
  });

  it("says where the worker bound comes from", () => {
    const error = refusal(() =>
      checkSettingLimits({ max_concurrency_per_instance: 9 }, limits, {
        what: "batch deployment 'e/d'",
        pathOf: (field) => field,
      }),
    );
    expect(error.message).toMatch(/^batch deployment 'e\/d' asks for more than this host allows: /);
    expect(error.message).toContain("test");
  });
});
