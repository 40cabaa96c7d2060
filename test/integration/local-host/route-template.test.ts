import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { createRouteTable } from "../../../src/local-host/http/route-table.js";
import { compileRouteTemplate } from "../../../src/local-host/http/route-template.js";
import {
  type RegisteredFunction,
  toRegisteredFunction,
} from "../../../src/local-host/registered-function.js";

function httpFunction(name: string, route: string | undefined, methods = ["GET"]): RegisteredFunction {
  return toRegisteredFunction({
    metadata: {
      name,
      functionId: name,
      rawBindings: [],
      bindings: { req: { type: "httpTrigger", direction: "in", route, methods, authLevel: "anonymous" } },
    },
    callback: () => undefined,
  });
}

describe("route templates", () => {
  it.each([
    ["items/{id:int}", "items/12", { id: "12" }],
    ["items/{id:int}", "items/-3", { id: "-3" }],
    ["items/{id:int}", "items/1.5", undefined],
    ["items/{id:min(10)}", "items/9", undefined],
    ["items/{id:min(10)}", "items/10", { id: "10" }],
    ["items/{id:range(1,3)}", "items/4", undefined],
    ["items/{id:bool}", "items/TRUE", { id: "TRUE" }],
    [
      "items/{id:guid}",
      "items/0f8fad5b-d9cb-469f-a165-70867728950e",
      { id: "0f8fad5b-d9cb-469f-a165-70867728950e" },
    ],
    ["items/{id:guid}", "items/not-a-guid", undefined],
    ["items/{id:alpha:maxlength(3)}", "items/abc", { id: "abc" }],
    ["items/{id:alpha:maxlength(3)}", "items/abcd", undefined],
    ["items/{id:length(2,3)}", "items/a", undefined],
    ["items/{id:double}", "items/2.5e3", { id: "2.5e3" }],
    ["items/{id:regex(^v[0-9]+$)}", "items/V12", { id: "V12" }],
    ["items/{id:somethingCustom}", "items/anything", { id: "anything" }],
    ["pages/{page=1}", "pages", { page: "1" }],
    ["pages/{page=1}", "pages/7", { page: "7" }],
    ["files/{name}.{ext}", "files/report.final.csv", { name: "report", ext: "final.csv" }],
    ["files/{*path}", "files", {}],
    ["files/{*path}", "files/a%20b/c", { path: "a b/c" }],
    ["a/{b?}", "a/", {}],
    ["", "", {}],
  ])("%s on '%s' → %j", (template, path, expected) => {
    expect(compileRouteTemplate(template).match(path)).toEqual(expected);
  });

  it.each(["a/{unclosed", "a/{*rest}/b", "a/{9bad}", "a/x{*rest}"])("refuses '%s'", (template) => {
    expect(() => compileRouteTemplate(template)).toThrow(BatchfnError);
  });

  it("prefers a route that ends where the path ends over one whose catch-all matches nothing", () => {
    const table = createRouteTable(
      [httpFunction("download", "jobs/{job}/outputs/{*path}"), httpFunction("list", "jobs/{job}/outputs")],
      "",
    );
    const matched = (path: string) => {
      const match = table.match("GET", path);
      return match.kind === "matched" ? match.route.fn.name : match.kind;
    };
    expect([matched("jobs/j1/outputs"), matched("jobs/j1/outputs/predictions.csv")]).toEqual([
      "list",
      "download",
    ]);
  });

  it("orders routes literal first, then constrained, plain, optional and catch-all parameters", () => {
    const table = createRouteTable(
      [
        httpFunction("catchAll", "jobs/{*rest}"),
        httpFunction("optional", "jobs/{id?}"),
        httpFunction("plain", "jobs/{id}"),
        httpFunction("constrained", "jobs/{id:int}"),
        httpFunction("literal", "jobs/latest"),
      ],
      "",
    );
    expect(table.routes.map((r) => r.fn.name)).toEqual([
      "literal",
      "constrained",
      "plain",
      "optional",
      "catchAll",
    ]);
    const matched = (path: string) => {
      const match = table.match("GET", path);
      return match.kind === "matched" ? match.route.fn.name : match.kind;
    };
    expect([
      matched("jobs/latest"),
      matched("jobs/5"),
      matched("jobs/x"),
      matched("jobs"),
      matched("jobs/a/b"),
    ]).toEqual(["literal", "constrained", "plain", "optional", "catchAll"]);
  });

  it("uses an empty route prefix and the function name as default route", () => {
    const table = createRouteTable([httpFunction("status", undefined)], "");
    expect(table.match("GET", "/status")).toMatchObject({ kind: "matched" });
    expect(table.match("GET", "/api/status")).toEqual({ kind: "notFound" });
    expect(table.match("DELETE", "/status")).toEqual({ kind: "methodNotAllowed", allow: ["GET"] });
  });
});
