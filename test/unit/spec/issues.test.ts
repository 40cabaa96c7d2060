import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeValue, formatPath } from "../../../src/spec/issues.js";
import { validate } from "../../../src/spec/spec-validation.js";

function problemsOf(schema: z.ZodType, value: unknown, prefix = "") {
  const checked = validate(schema, value, prefix);
  return checked.ok ? [] : checked.details;
}

describe("zod issues in plain words", () => {
  it.each([
    ["an inclusive maximum", z.number().max(5), 6, "must be ≤ 5"],
    ["an exclusive minimum", z.number().gt(0), 0, "must be > 0"],
    ["an exclusive maximum", z.number().lt(10), 10, "must be < 10"],
    ["an empty string", z.string().min(1), "", "must not be empty"],
    ["a short string", z.string().min(3), "ab", "must be at least 3 characters long"],
    ["a long string", z.string().max(2), "abc", "must be at most 2 characters long"],
    ["a short list", z.array(z.string()).min(2), ["a"], "must hold at least 2 items"],
    ["a boolean", z.boolean(), "yes", 'must be true or false (got string "yes")'],
    ["a list", z.array(z.number()), { a: 1 }, "must be a list (got a mapping)"],
    ["a single allowed value", z.literal("batch"), "online", "must be batch"],
    ["a multiple", z.number().multipleOf(5), 7, "must be a multiple of 5"],
    ["a pattern without its own message", z.string().regex(/^a+$/), "b", "must match /^a+$/"],
  ])("describes %s", (_label, schema, value, message) => {
    expect(problemsOf(z.strictObject({ field: schema }), { field: value })).toEqual([
      { path: "field", message },
    ]);
  });

  it("keeps the message a schema sets itself", () => {
    const schema = z.strictObject({ name: z.string().min(3, "must be 3-32 characters long") });
    expect(problemsOf(schema, { name: "a" })).toEqual([
      { path: "name", message: "must be 3-32 characters long" },
    ]);
  });

  it("locates problems under a prefix and names unknown keys at the key", () => {
    const schema = z.strictObject({ a: z.strictObject({ b: z.number() }) });
    expect(problemsOf(schema, { a: { b: 1, c: 2, d: 3 } }, "deployments.blue")).toEqual([
      { path: "deployments.blue.a.c", message: "unknown key 'c'" },
      { path: "deployments.blue.a.d", message: "unknown key 'd'" },
    ]);
  });

  it("says a missing union value is required", () => {
    const schema = z.strictObject({ model: z.union([z.string(), z.strictObject({ name: z.string() })]) });
    expect(problemsOf(schema, {})).toEqual([{ path: "model", message: "is required" }]);
  });

  it("explains a union through the branch whose type matched", () => {
    const schema = z.strictObject({ model: z.union([z.string(), z.strictObject({ name: z.string() })]) });
    expect(problemsOf(schema, { model: { name: 3 } })).toEqual([
      { path: "model.name", message: "must be a string (got number 3)" },
    ]);
  });
});

describe("paths and values", () => {
  it("joins paths with dots, list indexes included", () => {
    expect(formatPath(["deployments", 0, "settings", "mini_batch_size"])).toBe(
      "deployments.0.settings.mini_batch_size",
    );
  });

  it("describes values the way YAML shows them", () => {
    expect(describeValue(null)).toBe("an empty value");
    expect(describeValue([1])).toBe("a list");
    expect(describeValue({})).toBe("a mapping");
    expect(describeValue(true)).toBe("boolean true");
    expect(describeValue("x".repeat(50))).toBe(`string "${"x".repeat(40)}…"`);
  });
});
