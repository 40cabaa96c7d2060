import type { ErrorDetail } from "../errors.js";
import { join } from "./fields.js";
import { isLiteralType, readLiteral, SCORE_OUTPUT } from "./job-io.schema.js";
import type { Deployment } from "./resources.js";

/**
 * Checks what a deployment declares about its inputs and outputs, together: a literal's default is
 * of its type, a data input has no default, `settings.default_input` names a declared data input,
 * and no output takes the name `score` (the predictions).
 */
export function checkDeclarations(deployment: Deployment, prefix: string, problems: ErrorDetail[]): void {
  for (const [name, declared] of Object.entries(deployment.inputs ?? {})) {
    if (declared.default === undefined) continue;
    const at = join(prefix, `inputs.${name}.default`);
    if (!isLiteralType(declared.type)) {
      problems.push({
        path: at,
        message: `a ${declared.type} input has no default; give its path when invoking`,
      });
      continue;
    }
    const read = readLiteral(declared.type, declared.default);
    if (!read.ok) problems.push({ path: at, message: read.message });
  }
  const chosen = deployment.settings.default_input;
  const inputs = deployment.inputs;
  if (chosen !== undefined && inputs !== undefined) {
    const declared = inputs[chosen];
    const at = join(prefix, "settings.default_input");
    if (!declared) {
      problems.push({
        path: at,
        message: `names '${chosen}', which inputs does not declare (declared: ${Object.keys(inputs).join(", ") || "none"})`,
      });
    } else if (isLiteralType(declared.type)) {
      problems.push({
        path: at,
        message: `names '${chosen}', a ${declared.type} input; the default input holds data (uri_folder or uri_file)`,
      });
    }
  }
  if (deployment.outputs?.[SCORE_OUTPUT]) {
    problems.push({
      path: join(prefix, `outputs.${SCORE_OUTPUT}`),
      message: `'${SCORE_OUTPUT}' is the predictions output, always there; declare only the other outputs`,
    });
  }
}
