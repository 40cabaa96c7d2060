import type { Deployment } from "../../spec/resources.js";
import { deploymentRequirements } from "./deployment-environment.js";
import { checkPythonRequirements, checkPythonScript } from "./python-checks.js";

/**
 * The checks of a Python scoring-script deployment when it is created, cheapest first: the app has
 * Python (`PythonUnavailable`), the environment's packages import in it (`PythonDependencyMissing`),
 * then the script itself imports and defines `run` (`InvalidScoringScript` with the traceback).
 * Returns the warnings to show (versions that differ, what of the environment is not used).
 */
export async function checkPythonDeployment(options: {
  deployment: Deployment;
  interpreter: string;
  /** An empty folder for the check. */
  scratch: string;
  /** Fetches the code folder and gives its local path. */
  downloadCode: () => Promise<string>;
}): Promise<string[]> {
  const { deployment, interpreter } = options;
  const code = deployment.code_configuration;
  if (!code) return [];
  const environment = deploymentRequirements(deployment);
  const checked = await checkPythonRequirements({
    interpreter,
    requirements: environment.requirements,
    subject: `Batch deployment '${deployment.endpoint_name}/${deployment.name}' (scoring script '${code.scoring_script}')`,
  });
  const codeDir = await options.downloadCode();
  await checkPythonScript({
    interpreter,
    codeDir,
    scoringScript: code.scoring_script,
    scratch: options.scratch,
    env: deployment.environment_variables,
  });
  return [...environment.warnings, ...checked.warnings];
}
