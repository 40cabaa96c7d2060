/** True for a scoring script that runs on the Python runtime (`code_configuration.scoring_script` ends in `.py`). */
export function isPythonScript(scoringScript: string): boolean {
  return scoringScript.toLowerCase().endsWith(".py");
}
