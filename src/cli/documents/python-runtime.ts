import { z } from "zod";
import { BatchfnError, errors } from "../../errors.js";
import { isMapping } from "../../spec/fields.js";
import type { ApiClient } from "../api/api-client.js";
import { routes } from "../api/routes.js";

const runtimesSchema = z.object({
  runtimes: z.array(
    z.looseObject({
      name: z.string(),
      available: z.boolean(),
      interpreter: z.string().optional(),
      reason: z.string().optional(),
      doc: z.string().optional(),
    }),
  ),
});

/**
 * Refuses a deployment with a Python scoring script before anything is uploaded when the app says
 * (`GET /api/runtimes`) that it has no Python: `PythonUnavailable`, with the app's reason, the
 * setting and the doc page. An app that does not tell (an older one) is left to check at create.
 */
export async function requirePythonRuntime(api: ApiClient, document: Record<string, unknown>): Promise<void> {
  const code = isMapping(document.code_configuration) ? document.code_configuration : {};
  const script = typeof code.scoring_script === "string" ? code.scoring_script : "";
  if (!script.toLowerCase().endsWith(".py")) return;
  let body: unknown;
  try {
    body = (await api.send({ path: routes.runtimes })).body;
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.status === 404) return;
    throw thrown;
  }
  const parsed = runtimesSchema.safeParse(body);
  const python = parsed.success ? parsed.data.runtimes.find((r) => r.name === "python") : undefined;
  if (!python || python.available) return;
  throw errors.pythonUnavailable(
    `Scoring script '${script}' is Python, but the app at ${api.baseUrl} has no Python: the interpreter '${python.interpreter ?? "python3"}' (app setting BATCHFN_PYTHON) is unavailable${python.reason ? `: ${python.reason}` : ""}. Set BATCHFN_PYTHON on the app to a Python 3 interpreter that has the deployment's packages, or host the app in its container image; see ${python.doc ?? "docs/scoring.md#python-scoring-scripts"}.`,
  );
}
