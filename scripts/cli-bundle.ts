import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

/** The repository: the CLI's sources are `src/cli/main.ts` and what it imports. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What a build wrote. */
export interface CliBundle {
  /** The entry file's size: what every start parses. */
  bytes: number;
  /** The chunks beside it (`chunks/*.mjs`), loaded only by the commands that need them. */
  chunks: string[];
  /** The repository files the bundle was built from (relative, `/`-separated): what makes it stale. */
  sources: string[];
  /** The npm packages inlined into it, `name@version`. */
  packages: string[];
}

/**
 * Bundles the `batchfn` CLI (src/cli/main.ts and everything it imports, npm packages included) into
 * one minified ES module for Node at `outFile`, executable, with `#!/usr/bin/env node`: the form
 * the CLI is installed in (cli/ packs it; bin/batchfn.mjs runs it in this repository). It needs
 * nothing at run time but Node, and starts in a fraction of the time the module tree does (most of
 * a start is parsing). What a command imports lazily (the Azure Storage client of uploads) goes into
 * `chunks/` beside it, so a start parses only what every command needs. Beside it too,
 * `<outFile>.sources.json` lists the sources, so a launcher can see when it is stale; with `notices`,
 * the licenses of the inlined packages are written there. The chunks (named by their hash) are
 * written first and the entry replaced last, atomically: a CLI starting meanwhile runs the old or
 * the new one whole.
 */
export async function buildCliBundle(
  outFile: string,
  options: { notices?: string } = {},
): Promise<CliBundle> {
  const outDir = dirname(outFile);
  const entryName = basename(outFile).replace(/\.mjs$/, "");
  const result = await build({
    entryPoints: { [entryName]: join(REPO, "src", "cli", "main.ts") },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    minify: true,
    legalComments: "none",
    write: false,
    metafile: true,
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "silent",
    // The bundled CommonJS packages require Node's built-ins: give the module a `require`.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __batchfnRequire } from "node:module";\nconst require = __batchfnRequire(import.meta.url);',
    },
  });
  const entry = result.outputFiles.find((file) => resolve(file.path) === resolve(outFile));
  if (!entry) throw new Error(`esbuild wrote no ${outFile}`);
  const chunks = result.outputFiles.filter((file) => file !== entry);
  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  const sources = inputs
    .filter((input) => !input.split(sep).includes("node_modules"))
    .map((input) => relative(REPO, input).split(sep).join("/"))
    .sort();
  const packageDirs = [...new Set(inputs.flatMap((input) => packageDirOf(input) ?? []))].sort();
  const packages = [...new Set(await Promise.all(packageDirs.map(packageId)))];
  await mkdir(join(outDir, "chunks"), { recursive: true });
  for (const chunk of chunks) await replaceFile(chunk.path, chunk.contents, 0o644);
  await replaceFile(outFile, entry.contents, 0o755);
  await replaceFile(`${outFile}.sources.json`, `${JSON.stringify(sources, null, 2)}\n`, 0o644);
  if (options.notices) await replaceFile(options.notices, await licenseNotices(packageDirs), 0o644);
  const written = new Set(chunks.map((chunk) => basename(chunk.path)));
  for (const name of await readdir(join(outDir, "chunks"))) {
    if (!written.has(name)) await rm(join(outDir, "chunks", name), { force: true });
  }
  return {
    bytes: entry.contents.length,
    chunks: [...written].sort(),
    sources,
    packages,
  };
}

async function replaceFile(file: string, contents: Uint8Array | string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}

/** `/x/node_modules/@scope/name/lib/a.js` → `/x/node_modules/@scope/name`. */
function packageDirOf(file: string): string | undefined {
  const parts = file.split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith("@") ? 3 : 2;
  return parts.slice(0, at + length).join(sep);
}

async function packageId(dir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
    name?: string;
    version?: string;
  };
  return `${manifest.name ?? dir}@${manifest.version ?? "?"}`;
}

/** The license text of every inlined package, as their licenses ask of a redistribution. */
async function licenseNotices(packageDirs: readonly string[]): Promise<string> {
  const sections: string[] = [
    "The batchfn command line (batchfn.mjs) includes these packages, under their own licenses.\n",
  ];
  const seen = new Set<string>();
  for (const dir of packageDirs) {
    const id = await packageId(dir);
    if (seen.has(id)) continue;
    seen.add(id);
    const names = await readdir(dir);
    const license = names.find((name) => /^(licen[sc]e|copying)(\.|$)/i.test(name));
    const text = license ? await readFile(join(dir, license), "utf8") : "(no license file in the package)";
    sections.push(`${"=".repeat(78)}\n${id}\n${"=".repeat(78)}\n${text.trim()}\n`);
  }
  return sections.join("\n");
}

/** `node --import tsx scripts/cli-bundle.ts <out.mjs> [--notices FILE]` (npm run build, cli/'s prepack). */
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [outFile, flag, notices] = process.argv.slice(2);
  if (!outFile || (flag !== undefined && (flag !== "--notices" || !notices))) {
    console.error("usage: cli-bundle.ts <out.mjs> [--notices FILE]");
    process.exit(2);
  }
  buildCliBundle(resolve(outFile), { notices: notices && resolve(notices) }).then(
    (bundle) =>
      console.log(
        `batchfn CLI: ${resolve(outFile)} (${(bundle.bytes / 1024).toFixed(0)} KiB and ${bundle.chunks.length} lazy chunks; ${bundle.sources.length} sources, ${bundle.packages.length} packages inlined)`,
      ),
    (thrown: unknown) => {
      console.error(`bundling the CLI failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      process.exit(1);
    },
  );
}
