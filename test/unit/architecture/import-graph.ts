import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** One import: `from` imports `to` (paths relative to the repository root, `/`-separated). */
export interface ImportEdge {
  from: string;
  to: string;
}

export interface LayerRules {
  layers: readonly (readonly string[])[];
  mutualRows: readonly (readonly string[])[];
  onlyImports: Readonly<Record<string, readonly string[]>>;
  surfaces: Readonly<Record<string, readonly string[]>>;
}

/** An import the rules refuse, with the reason in words. */
export interface Violation extends ImportEdge {
  reason: string;
}

/** The module of a file: its folder under src/, `errors`/`config` for those files, else its top folder. */
export function moduleOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] !== "src") return parts[0] ?? file;
  const second = parts[1] ?? "";
  return parts.length === 2 ? second.replace(/\.ts$/, "") : second;
}

/** Every relative import (static, `export ... from`, dynamic, type-only) of the .ts files under `roots`. */
export function readImportGraph(repoRoot: string, roots: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of roots.flatMap((root) => sourceFiles(join(repoRoot, root)))) {
    const from = toRepoPath(repoRoot, file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolveImport(dirname(file), fileName);
      if (target === undefined) throw new Error(`${from} imports ${fileName}, which is no file`);
      edges.push({ from, to: toRepoPath(repoRoot, target) });
    }
  }
  return edges;
}

/** The imports between modules that go sideways, up, or around a module's public surface. */
export function findViolations(edges: readonly ImportEdge[], rules: LayerRules): Violation[] {
  const row = new Map<string, number>();
  rules.layers.forEach((modules, index) => {
    for (const module of modules) row.set(module, index);
  });
  const violations: Violation[] = [];
  for (const edge of edges) {
    const from = moduleOf(edge.from);
    const to = moduleOf(edge.to);
    if (from === to) continue;
    const fromRow = row.get(from);
    const toRow = row.get(to);
    if (toRow === undefined && !edge.to.startsWith("src/")) continue; // examples/, package.json
    if (fromRow === undefined || toRow === undefined) {
      violations.push({ ...edge, reason: `module ${fromRow === undefined ? from : to} has no layer` });
      continue;
    }
    const only = rules.onlyImports[from];
    if (only !== undefined && !only.includes(to)) {
      violations.push({ ...edge, reason: `${from} may import only ${only.join(", ")}` });
    } else if (toRow > fromRow || (toRow === fromRow && !mutual(rules, from, to))) {
      const where = toRow === fromRow ? "its own row" : "a higher row";
      violations.push({ ...edge, reason: `${from} must not import ${to} (${where})` });
    }
    const surface = rules.surfaces[to];
    if (surface !== undefined && !surface.includes(edge.to)) {
      violations.push({ ...edge, reason: `${to} is reached only through ${surface.join(", ")}` });
    }
  }
  return violations;
}

function mutual(rules: LayerRules, from: string, to: string): boolean {
  return rules.mutualRows.some((row) => row.includes(from) && row.includes(to));
}

/** Import circles between files: each is the files of one circle, in import order from the smallest path. */
export function findCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const circles: string[][] = [];
  for (const component of stronglyConnected(next)) {
    if (component.length > 1) circles.push(circleThrough(component, next));
  }
  return circles.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** One walk around a strongly connected set of files, starting at its smallest path. */
function circleThrough(component: readonly string[], next: ReadonlyMap<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] ?? "";
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() ?? "";
    for (const target of [...(next.get(file) ?? [])].sort()) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [file];
        for (let at = file; at !== start; ) {
          at = parent.get(at) ?? start;
          path.unshift(at);
        }
        return path;
      }
      if (!parent.has(target)) {
        parent.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start];
}

/** Tarjan's strongly connected components. */
function stronglyConnected(next: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of next.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === file) break;
    }
    components.push(component);
  };
  for (const file of next.keys()) if (!index.has(file)) visit(file);
  return components;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(dir: string, specifier: string): string | undefined {
  const path = resolve(dir, specifier);
  const candidates = [path.replace(/\.js$/, ".ts"), path, `${path}.ts`, join(path, "index.ts")];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function toRepoPath(repoRoot: string, file: string): string {
  return relative(repoRoot, file).split(sep).join("/");
}
