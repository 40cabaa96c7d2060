import { isMapping } from "../../spec/fields.js";
import type { Deployment } from "../../spec/resources.js";
import { condaRequirements, type PythonRequirement } from "./python-requirements.js";

/**
 * The packages a deployment's Azure ML environment asks for: `environment.conda_file` (v2, the
 * file's content as the CLI sends it) or `conda_file` (2021), kept as written under
 * `accepted_not_used`. What cannot be read (a reference to an environment asset, a path the server
 * cannot open) is a warning, never a refusal.
 */
export function deploymentRequirements(deployment: Deployment): {
  requirements: PythonRequirement[];
  warnings: string[];
} {
  const kept = deployment.accepted_not_used;
  const requirements: PythonRequirement[] = [];
  const warnings: string[] = [];
  const read = (conda: unknown, path: string) => {
    if (conda === undefined) return;
    if (isMapping(conda)) requirements.push(...condaRequirements(conda, path));
    else
      warnings.push(
        `${path}: '${String(conda)}' is a file the server cannot read; its packages were not checked (the batchfn CLI sends the file's content)`,
      );
  };
  const environment = kept.environment;
  if (typeof environment === "string") {
    warnings.push(
      `environment: '${environment}' names an Azure ML environment asset, which batchfn does not hold; its packages were not checked (write the environment inline, with its conda_file)`,
    );
  } else if (isMapping(environment)) {
    read(environment.conda_file, "environment.conda_file");
    if (typeof environment.image === "string") {
      warnings.push(
        `environment.image: '${environment.image}' is not used; the app's Python interpreter (BATCHFN_PYTHON) runs the script`,
      );
    }
  }
  read(kept.conda_file, "conda_file");
  return { requirements, warnings };
}
