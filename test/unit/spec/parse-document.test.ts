import { describe, expect, it } from "vitest";
import type { BatchfnError } from "../../../src/errors.js";
import { parseDeploymentDocument } from "../../../src/spec/deployment.schema.js";
import { parseEndpointDocument } from "../../../src/spec/endpoint.schema.js";
import { parseModelDocument } from "../../../src/spec/model.schema.js";

function thrownBy(attempt: () => unknown): BatchfnError {
  try {
    attempt();
  } catch (thrown) {
    return thrown as BatchfnError;
  }
  throw new Error("expected the parse to throw");
}

describe("reading documents", () => {
  it("reports a YAML syntax error with its line and column", () => {
    const error = thrownBy(() =>
      parseEndpointDocument("name: mybatchedp\ntraffic: {blue: 100\ndescription: x\n"),
    );
    expect(error.code).toBe("InvalidSpec");
    expect(error.status).toBe(400);
    expect(error.details).toHaveLength(1);
    expect(error.details[0]?.code).toBe("YamlSyntax");
    expect(error.details[0]?.message).toMatch(/^YAML syntax error at line 3, column \d+: /);
    expect(error.message).toContain("Invalid batch endpoint document: YAML syntax error at line 3");
  });

  it("reports a duplicated key as a syntax error at its line", () => {
    const error = thrownBy(() => parseModelDocument("name: m\nversion: 1\nname: n\npath: p\n"));
    expect(error.details).toEqual([
      { code: "YamlSyntax", message: "YAML syntax error at line 3, column 1: Map keys must be unique" },
    ]);
  });

  it("reports an unresolved alias", () => {
    const error = thrownBy(() => parseModelDocument("name: *missing\n"));
    expect(error.code).toBe("InvalidSpec");
    expect(error.details[0]?.message).toContain("Unresolved alias");
  });

  it.each([
    ["an empty text", ""],
    ["only comments", "# nothing here\n"],
    ["a null document", "~\n"],
    ["an undefined body", undefined],
    ["a null body", null],
  ])("rejects %s as an empty document", (_label, input) => {
    const error = thrownBy(() => parseDeploymentDocument(input));
    expect(error.code).toBe("InvalidSpec");
    expect(error.details).toEqual([{ code: "EmptyDocument", message: "the document is empty" }]);
    expect(error.message).toBe("Invalid batch deployment document: the document is empty");
  });

  it("names the source file in the message", () => {
    const error = thrownBy(() => parseDeploymentDocument("", { source: "deployment.yml" }));
    expect(error.message).toBe("Invalid batch deployment document (deployment.yml): the document is empty");
  });

  it.each([
    ["a list", "- name: a\n", "the document must be a mapping (got a list)"],
    ["a scalar", "just text\n", 'the document must be a mapping (got string "just text")'],
  ])("rejects %s at the top", (_label, text, message) => {
    expect(thrownBy(() => parseEndpointDocument(text)).details).toEqual([{ message }]);
  });
});
