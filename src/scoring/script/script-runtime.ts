import { basename } from "node:path";
import { z } from "zod";
import { errors } from "../../errors.js";
import type { ScoredRow } from "../../io/output/scored-rows.js";
import { placeInMemoryFiles } from "../in-memory-files.js";
import { reconcileResults } from "../result-count.js";
import type { RuntimeSpec, ScoringContext, ScoringRuntime } from "../runtime.js";
import { importScriptModule } from "./script-module.js";

const scoredRowSchema = z.union([
  z.string(),
  z.union([z.number(), z.boolean(), z.bigint()]).transform(String),
  z.record(z.string(), z.unknown()),
]);

/**
 * Loads a custom scoring script (its ESM bundle) inside a worker and runs its `init` once. Each
 * mini-batch calls `run` with the local paths of its files (written first when they came in
 * memory, and removed once `run` is done with them); what it returns becomes the rows, and
 * its count is checked against the inputs (`reconcileResults`). Errors thrown by `init` or `run`
 * propagate to the worker, which reports them.
 */
export async function createScriptRuntime(
  spec: Extract<RuntimeSpec, { kind: "script" }>,
  context: ScoringContext,
): Promise<ScoringRuntime> {
  const scriptName = spec.scriptName ?? basename(spec.scriptPath);
  const script = await importScriptModule(spec.scriptPath, scriptName);
  await script.init?.(context);
  return {
    async run(input) {
      const remove = placeInMemoryFiles(input.files);
      let returned: unknown;
      try {
        returned = await script.run(
          input.files.map((file) => file.path),
          context,
        );
      } finally {
        remove();
      }
      const rows = toRows(returned, scriptName);
      const { succeededItems } = reconcileResults({ files: input.files, results: rows.length, scriptName });
      return { rows, succeededItems, failedItems: [] };
    },
    async shutdown() {
      await script.shutdown?.();
    },
  };
}

function toRows(returned: unknown, scriptName: string): ScoredRow[] {
  if (!Array.isArray(returned)) {
    throw errors.scriptError(
      `run() of '${scriptName}' must return an array with one element per scored item, got ${returned === null ? "null" : typeof returned}`,
    );
  }
  return returned.map((element, position) => {
    const parsed = scoredRowSchema.safeParse(element);
    if (parsed.success) return parsed.data;
    const kind = element === null ? "null" : Array.isArray(element) ? "an array" : typeof element;
    throw errors.scriptError(
      `run() of '${scriptName}' returned ${kind} at position ${position}; each element must be a string, a number or an object`,
    );
  });
}
