import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { parseInvokeBody } from "../../../src/spec/invoke.schema.js";
import { checkJobName, jobName } from "../../../src/spec/names.js";

const longest = `j${"0".repeat(254)}`;

describe("the job name rule (Azure ML's: 1-255 letters, digits, '-', '_', a letter or digit first)", () => {
  it("accepts 1 and 255 characters and refuses 0 and 256", () => {
    expect(longest).toHaveLength(255);
    expect(jobName.safeParse("j").success).toBe(true);
    expect(jobName.safeParse(longest).success).toBe(true);
    expect(jobName.safeParse("").success).toBe(false);
    expect(jobName.safeParse(`${longest}0`).success).toBe(false);
    expect(() => checkJobName(`${longest}0`)).toThrow("must be 1-255 letters");
  });

  it("refuses a leading '-' or '_' and any other character", () => {
    for (const name of ["-job", "_job", "a b", "a/b", "a.b", "jöb"]) {
      expect(jobName.safeParse(name).success, name).toBe(false);
    }
    expect(jobName.safeParse("Job_2026-01-01").success).toBe(true);
  });

  it("is the rule of an invocation's job_name", () => {
    expect(parseInvokeBody({ input: "https://a/b", job_name: longest }).jobName).toBe(longest);
    try {
      parseInvokeBody({ input: "https://a/b", job_name: `${longest}0` });
      expect.unreachable("a 256-character job_name was accepted");
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(BatchfnError);
      const details = thrown instanceof BatchfnError ? thrown.details : [];
      expect(details).toEqual([expect.objectContaining({ path: "job_name" })]);
      expect(details[0]?.message).toContain("must be 1-255 letters");
    }
  });
});
