import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import { BatchfnError, ensureError } from "../../errors.js";
import type { InspectionResult } from "./inspection.js";
import { inspectionRequestSchema } from "./inspection.js";
import { checkScriptExports } from "./script-module.js";

/** Worker thread of `validateScoringBundle`: imports a bundle and checks its exports. */

const request = inspectionRequestSchema.parse(workerData);

async function inspectBundle(): Promise<InspectionResult> {
  try {
    const namespace: Record<string, unknown> = await import(pathToFileURL(request.bundlePath).href);
    checkScriptExports(namespace, request.scriptName);
    return { ok: true };
  } catch (thrown) {
    if (thrown instanceof BatchfnError)
      return { ok: false, message: thrown.message, details: thrown.details };
    const message = `Scoring script '${request.scriptName}' fails when loaded: ${ensureError(thrown).message}`;
    return { ok: false, message, details: [] };
  }
}

parentPort?.postMessage(await inspectBundle());
