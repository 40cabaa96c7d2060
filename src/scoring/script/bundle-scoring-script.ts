import { stat } from "node:fs/promises";
import { extname, isAbsolute, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { z } from "zod";
import { type ErrorDetail, errors } from "../../errors.js";
import { appRoot, NATIVE_PACKAGES, nativePackagesPlugin } from "./native-packages-plugin.js";
import { validateScoringBundle } from "./validate-scoring-bundle.js";

export interface BundleScoringScriptOptions {
  /** The deployment's code folder (`code_configuration.code`), on local disk. */
  codeDir: string;
  /** The script's path inside `codeDir` (`code_configuration.scoring_script`). */
  scoringScript: string;
  /** Packages kept out of the bundle and loaded from the app's install; default `NATIVE_PACKAGES`. */
  nativePackages?: string[];
  /**
   * Load the bundle once in a throwaway worker thread to check that `init`, `run` and `shutdown`
   * are functions (this runs the script's top-level code, not `init`); default true.
   */
  validate?: boolean;
}

/** A scoring script compiled into one ESM module, ready to be stored and run from any folder. */
export interface ScoringBundle {
  code: string;
  /** esbuild's warnings as `file:line:column: text`. */
  warnings: string[];
}

const SCRIPT_EXTENSIONS = [".js", ".mjs", ".ts", ".mts"];

/** Makes `require` of Node built-ins work inside bundled CommonJS packages of an ESM bundle. */
const BANNER =
  'import { createRequire as __batchfnCreateRequire } from "node:module";\nglobalThis.require ??= __batchfnCreateRequire(import.meta.url);';

const messageSchema = z.object({
  text: z.string(),
  location: z.object({ file: z.string(), line: z.number(), column: z.number() }).nullable(),
});
type Message = z.infer<typeof messageSchema>;

/** What esbuild rejects with when a build fails. */
const buildFailureSchema = z.object({ errors: z.array(messageSchema) });

/**
 * Compiles a custom scoring script (JavaScript or TypeScript) and everything it imports into one
 * ESM bundle with esbuild, when a deployment is created. Pure-JS packages are bundled in (bare
 * imports resolve from the code folder, then from the app's `node_modules`); native packages stay
 * external as absolute URLs of the app's copy. Throws `InvalidScoringScript` for a missing script,
 * a build error (with file:line) or exports that break the contract.
 */
export async function bundleScoringScript(options: BundleScoringScriptOptions): Promise<ScoringBundle> {
  const codeDir = resolve(options.codeDir);
  const entry = resolve(codeDir, options.scoringScript);
  const script = options.scoringScript;
  const inside = relative(codeDir, entry);
  if (inside.startsWith("..") || isAbsolute(inside)) {
    throw errors.invalidScoringScript(`scoring_script '${script}' must be a file inside the code folder`);
  }
  if (!SCRIPT_EXTENSIONS.includes(extname(entry))) {
    throw errors.invalidScoringScript(
      `scoring_script '${script}' must be a JavaScript or TypeScript module (${SCRIPT_EXTENSIONS.join(", ")})`,
    );
  }
  const found = await stat(entry).catch(() => undefined);
  if (!found?.isFile()) {
    throw errors.invalidScoringScript(`scoring_script '${script}' was not found in the code folder`);
  }
  const root = appRoot();
  const built = await build({
    entryPoints: [entry],
    absWorkingDir: codeDir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
    sourcemap: "inline",
    sourcesContent: false,
    nodePaths: [join(root, "node_modules")],
    banner: { js: BANNER },
    plugins: [nativePackagesPlugin(options.nativePackages ?? NATIVE_PACKAGES, root)],
  }).catch((thrown: unknown) => {
    const failure = buildFailureSchema.safeParse(thrown);
    if (!failure.success) throw thrown;
    throw buildError(script, failure.data.errors);
  });
  const output = built.outputFiles[0];
  const exported = Object.values(built.metafile.outputs)[0]?.exports ?? [];
  if (!output) throw errors.invalidScoringScript(`scoring_script '${script}' produced no bundle`);
  if (!exported.includes("run")) {
    throw errors.invalidScoringScript(
      `Scoring script '${script}' does not export run(); export \`async function run(miniBatch, context)\` (a default export is not read)`,
      { details: [{ path: "run", message: `Scoring script '${script}' does not export run()` }] },
    );
  }
  if (options.validate ?? true) await validateScoringBundle({ code: output.text, scriptName: script });
  return { code: output.text, warnings: built.warnings.map(formatMessage) };
}

function buildError(script: string, messages: Message[]) {
  const details: ErrorDetail[] = messages.map((message) => ({
    path: location(message),
    message: formatMessage(message),
  }));
  const summary = details.map((detail) => detail.message).join("; ");
  return errors.invalidScoringScript(`Scoring script '${script}' does not build: ${summary}`, { details });
}

function location(message: Message): string | undefined {
  const where = message.location;
  return where ? `${where.file}:${where.line}:${where.column + 1}` : undefined;
}

function formatMessage(message: Message): string {
  const where = location(message);
  return where ? `${where}: ${message.text}` : message.text;
}
