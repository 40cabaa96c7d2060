import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkQuery, formatOutput } from "../../../src/cli/output/format-output.js";
import { BatchfnError } from "../../../src/errors.js";

/**
 * `--query` against the compliance suite of Python's jmespath (the library az uses), copied in
 * test/fixtures/jmespath-compliance with its licence. Every case runs through the CLI's own
 * formatting: a result prints as JSON (null prints nothing), an error case is refused as a usage
 * error naming `--query`.
 */

const folder = join(import.meta.dirname, "..", "..", "fixtures", "jmespath-compliance");
const suiteSchema = z.array(
  z.object({
    given: z.unknown(),
    cases: z.array(
      z.object({
        expression: z.string(),
        result: z.unknown().optional(),
        error: z.string().optional(),
      }),
    ),
  }),
);

/**
 * Where the implementation answers differently from Python's jmespath, and why that is kept: the
 * JMESPath Community specification reads `\\` in a raw string literal as one backslash.
 */
const KNOWN_DIFFERENCES: Record<string, unknown> = { "'\\\\'": "\\" };

function query(given: unknown, expression: string): unknown {
  const text = formatOutput(given, { format: "json", query: expression });
  return text === "" ? null : JSON.parse(text);
}

for (const file of readdirSync(folder).filter((name) => name.endsWith(".json"))) {
  const suite = suiteSchema.parse(JSON.parse(readFileSync(join(folder, file), "utf8")));
  describe(`JMESPath compliance: ${file}`, () => {
    suite.forEach((group, index) => {
      it(`group ${index + 1}: ${group.cases.length} cases`, () => {
        for (const { expression, result, error } of group.cases) {
          if (error !== undefined) {
            const refused = (() => {
              try {
                checkQuery(expression);
                query(group.given, expression);
                return undefined;
              } catch (thrown) {
                return thrown;
              }
            })();
            expect(refused, `${expression} must fail (${error})`).toBeInstanceOf(BatchfnError);
            expect((refused as BatchfnError).details[0]?.path).toBe("--query");
            continue;
          }
          const expected = expression in KNOWN_DIFFERENCES ? KNOWN_DIFFERENCES[expression] : result;
          expect(query(group.given, expression), expression).toEqual(expected ?? null);
        }
      });
    });
  });
}

describe("the az idioms of the issue", () => {
  const jobs = [
    { name: "a", status: "Completed", created_at: "2026-01-02" },
    { name: "b", status: "Failed", created_at: "2026-01-03" },
    { name: "c", status: "Completed", created_at: "2026-01-01" },
  ];

  it("checks the syntax only before sending: length([]) is right for a list answer", () => {
    expect(() => checkQuery("length([])")).not.toThrow();
    expect(query(jobs, "length([])")).toBe(3);
    expect(query([], "length([])")).toBe(0);
  });

  it("counts, sorts and picks as Python's jmespath does", () => {
    expect(query(jobs, "[?status=='Completed'] | length(@)")).toBe(2);
    expect(query(jobs, "sort_by(@, &created_at)[-1].name")).toBe("b");
    expect(query(jobs, "max_by(@, &created_at).name")).toBe("b");
    expect(query(jobs, "min_by(@, &created_at).name")).toBe("c");
    expect(query(jobs, "[?status=='Completed'].name | join(',', @)")).toBe("a,c");
  });

  it("compares a number with a string as null (no match), not by JavaScript's coercion", () => {
    expect(query([{ n: 5 }], "[?n > '3']")).toEqual([]);
  });

  it("refuses a syntax error before anything runs, naming --query", () => {
    expect(() => checkQuery("[?status=='Completed'")).toThrow(/--query/);
    expect(() => checkQuery("tags.my-tag")).toThrow(/arithmetic/);
    expect(() => checkQuery("[].lower(name)")).toThrow(/unknown function: lower/);
    expect(query({ "my-tag": 1 }, '"my-tag"')).toBe(1);
  });
});

describe("max_by and min_by as Python's jmespath", () => {
  it("compare string keys (dates, names) and keep the first of equal keys", () => {
    const rows = [
      { name: "x", at: "2026-01-02", n: 1 },
      { name: "y", at: "2026-01-03", n: 3 },
      { name: "z", at: "2026-01-03", n: 3 },
    ];
    expect(query(rows, "max_by(@, &at).name")).toBe("y");
    expect(query(rows, "min_by(@, &at).name")).toBe("x");
    expect(query(rows, "max_by(@, &n).name")).toBe("y");
    expect(query([], "max_by(@, &n)")).toBeNull();
  });

  it("refuse keys that are neither numbers nor strings, or of both kinds", () => {
    expect(() => query([{ a: true }], "max_by(@, &a)")).toThrow(/--query/);
    expect(() => query([{ a: 1 }, { a: "b" }], "min_by(@, &a)")).toThrow(/cannot compare/);
  });
});
