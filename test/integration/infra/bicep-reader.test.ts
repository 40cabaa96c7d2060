import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { evaluateDeployment } from "./bicep-deployment.js";
import { parseBicep } from "./bicep-syntax.js";
import { show } from "./bicep-values.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const parseFixture = (name: string) => parseBicep(readFileSync(join(fixtures, name), "utf8"), name);

describe("the Bicep reader", () => {
  it("reads strings with interpolation and escapes, decorators and multi-line ternaries", () => {
    const [param, url, pick] = parseFixture("syntax.bicep").declarations;
    expect(param).toMatchObject({
      kind: "param",
      name: "key",
      decorators: [{ name: "secure" }, { name: "description" }],
    });
    expect(param?.kind === "param" && param.decorators[1]?.args[0]).toEqual({
      kind: "string",
      parts: ["it's ", { kind: "string", parts: ["nested"] }, ` and $\{not}`],
    });
    expect(url).toMatchObject({
      kind: "var",
      value: { kind: "string", parts: ["https://", { kind: "ident", name: "key" }, "/x"] },
    });
    expect(pick).toMatchObject({
      kind: "var",
      value: { kind: "ternary", otherwise: { kind: "string", parts: ["short"] } },
    });
  });

  it("refuses what it does not understand, naming the file and line", () => {
    expect(() => parseFixture("nested-resource.bicep")).toThrow(/nested-resource\.bicep:2: nested resource/);
    expect(() => parseBicep("import 'x.bicep'", "i.bicep")).toThrow(/i\.bicep:1: 'import' declarations/);
  });
});

describe("a deployment evaluated without Azure", () => {
  it("expands loops, drops false conditions, passes module parameters and reads module outputs", () => {
    const deployment = evaluateDeployment(join(fixtures, "deployment", "main.bicep"), {
      names: ["x", "y", "z"],
    });
    const items = deployment.resources.filter((r) => r.type === "Test/items");
    expect(items.map((r) => r.fullName)).toEqual(["x0", "y1", "z2"]);
    expect(deployment.resources.some((r) => r.type === "Test/off")).toBe(false);
    const [declared, existing] = deployment.resources.filter(
      (r) => r.type === "Microsoft.Storage/storageAccounts",
    );
    expect(existing?.existing).toBe(true);
    expect(existing?.key).toBe(declared?.key);
    expect(show(items[0]?.body.properties)).toContain(`${declared?.key}.id`);
    expect(show(deployment.outputs.fromChild)).toBe(`${declared?.key}.properties.primaryEndpoints.blob`);
  });

  it("evaluates variables on first use, indexes looped resources, and knows items() and concat() of arrays", () => {
    const deployment = evaluateDeployment(join(fixtures, "deployment", "main.bicep"), { names: ["x", "y"] });
    const children = deployment.resources.filter((r) => r.type === "Test/items/children");
    expect(children.map((r) => r.fullName)).toEqual(["x0/child", "y1/child"]);
    expect(show(children[1]?.body.properties)).toContain("Test/later|later.id");
    expect(deployment.outputs.settingNames).toEqual(["a", "b"]);
    expect(deployment.outputs.joined).toEqual(["x", "y", "last"]);
  });
});
