import { pathToFileURL } from "node:url";
import { z } from "zod";
import { type ErrorDetail, errors } from "../../errors.js";
import type { ScoringContext } from "../runtime.js";

/** The exports of a custom scoring script, as the engine calls them. */
export interface ScriptModule {
  init?: (context: ScoringContext) => unknown;
  run: (miniBatch: string[], context: ScoringContext) => unknown;
  shutdown?: () => unknown;
}

function fn<T>() {
  return z.custom<T>((value) => typeof value === "function");
}

const scriptExportsSchema = z.looseObject({
  init: fn<NonNullable<ScriptModule["init"]>>().optional(),
  run: fn<ScriptModule["run"]>(),
  shutdown: fn<NonNullable<ScriptModule["shutdown"]>>().optional(),
});

const CONTRACT =
  "A scoring script exports `async function run(miniBatch, context)` and optionally `async function init(context)` and `async function shutdown()`.";

/**
 * Checks a script module's exports against the contract (`run` a function; `init`, `shutdown`
 * functions when present); throws `InvalidScoringScript` naming the script and each bad export.
 */
export function checkScriptExports(exports: Record<string, unknown>, scriptName: string): ScriptModule {
  const parsed = scriptExportsSchema.safeParse(exports);
  if (parsed.success) return parsed.data;
  const details: ErrorDetail[] = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = exports[name];
    const message =
      value === undefined
        ? `does not export ${name}()`
        : `exports ${name} as ${describe(value)}, not a function`;
    return { path: name, message: `Scoring script '${scriptName}' ${message}` };
  });
  throw errors.invalidScoringScript(`${details.map((d) => d.message).join("; ")}. ${CONTRACT}`, { details });
}

/** Imports a bundled script file (an ESM module) and checks its exports. */
export async function importScriptModule(scriptPath: string, scriptName: string): Promise<ScriptModule> {
  const namespace: Record<string, unknown> = await import(pathToFileURL(scriptPath).href);
  return checkScriptExports(namespace, scriptName);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}
