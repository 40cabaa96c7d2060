import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findCircles, findViolations, type ImportEdge, readImportGraph } from "./import-graph.js";
import { LAYERS, MUTUAL_ROWS, ONLY_IMPORTS, SURFACES } from "./layers.js";

const rules = { layers: LAYERS, mutualRows: MUTUAL_ROWS, onlyImports: ONLY_IMPORTS, surfaces: SURFACES };

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

describe("the import graph of src/, functions/ and bench/", () => {
  const edges = readImportGraph(repoRoot, ["src", "functions", "bench"]);
  const violations = findViolations(edges, rules);
  const circles = findCircles(edges).map((circle) => [...circle, circle[0]].join(" -> "));

  it("reads the imports of every file", () => {
    expect(edges.length).toBeGreaterThan(1000);
  });

  it("has imports that point down the layers only", () => {
    const found = violations.map((v) => `${v.from} imports ${v.to}: ${v.reason}`);
    expect(found, "wrong-way imports (see test/unit/architecture/layers.ts)").toEqual([]);
  });

  it("has no import circle", () => {
    expect(circles, "import circles").toEqual([]);
  });
});

describe("the import-graph check", () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to });
  const reasons = (edges: ImportEdge[]) => findViolations(edges, rules).map((v) => v.reason);

  it("accepts imports down the layers and within a module", () => {
    expect(
      reasons([
        edge("src/jobs/a.ts", "src/io/b.ts"),
        edge("src/api/a.ts", "src/errors.ts"),
        edge("src/io/a.ts", "src/io/tabular/b.ts"),
        edge("src/errors.ts", "src/spec/log-record.schema.ts"),
        edge("src/spec/names.ts", "src/errors.ts"),
        edge("bench/run.ts", "examples/demo.ts"),
      ]),
    ).toEqual([]);
  });

  it("refuses an import up a layer or across a row, naming both modules", () => {
    expect(reasons([edge("src/io/a.ts", "src/jobs/b.ts")])).toEqual([
      "io must not import jobs (a higher row)",
    ]);
    expect(reasons([edge("src/registry/a.ts", "src/scoring/b.ts")])).toEqual([
      "registry must not import scoring (its own row)",
    ]);
    expect(reasons([edge("src/errors.ts", "src/config.ts")])).toEqual([
      "errors must not import config (a higher row)",
    ]);
  });

  it("refuses what a restricted module may not import, and a way around a public surface", () => {
    expect(reasons([edge("src/cli/a.ts", "src/jobs/b.ts")])).toEqual(["cli may import only spec, errors"]);
    expect(reasons([edge("bench/a.ts", "src/local-host/durable/b.ts")])).toEqual([
      "local-host is reached only through src/local-host/index.ts",
    ]);
    expect(reasons([edge("bench/a.ts", "src/local-host/index.ts")])).toEqual([]);
  });

  it("refuses a module with no layer", () => {
    expect(reasons([edge("src/utils/a.ts", "src/errors.ts")])).toEqual(["module utils has no layer"]);
  });

  it("finds circles and names them from their smallest file", () => {
    expect(
      findCircles([
        edge("src/b.ts", "src/c.ts"),
        edge("src/c.ts", "src/a.ts"),
        edge("src/a.ts", "src/b.ts"),
        edge("src/a.ts", "src/d.ts"),
      ]),
    ).toEqual([["src/a.ts", "src/b.ts", "src/c.ts"]]);
    expect(findCircles([edge("src/a.ts", "src/b.ts"), edge("src/b.ts", "src/c.ts")])).toEqual([]);
  });
});
