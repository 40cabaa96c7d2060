import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { errors } from "../../errors.js";
import { workerEnv } from "../runtime-env.js";
import { describeEnd } from "./python-failures.js";
import { type PythonProbe, probePython } from "./python-probe.js";
import { PythonProcess } from "./python-process.js";
import type { PythonRequirement } from "./python-requirements.js";

/** The page that says how to give batchfn a Python, named by every refusal about it. */
export const PYTHON_DOC = "docs/scoring.md#python-scoring-scripts";

type AvailablePython = Extract<PythonProbe, { available: true }>;

/**
 * Checks that `interpreter` runs and can import every requirement's module. Throws
 * `PythonUnavailable` (naming BATCHFN_PYTHON and the doc page) or `PythonDependencyMissing` (naming
 * each module and the interpreter). Returns warnings: an installed version that differs from an
 * exact one asked for. `subject` names what needs them in messages ("Batch deployment 'e/d'").
 */
export async function checkPythonRequirements(options: {
  interpreter: string;
  requirements: PythonRequirement[];
  subject: string;
}): Promise<{ python: AvailablePython; warnings: string[] }> {
  const { interpreter, requirements, subject } = options;
  const python = await probePython(interpreter, requirements);
  if (!python.available) {
    throw errors.pythonUnavailable(
      `${subject} runs Python, but this app has no Python: the interpreter '${interpreter}' (app setting BATCHFN_PYTHON) is unavailable: ${python.reason}. Set BATCHFN_PYTHON to a Python 3 interpreter that has the packages the deployment needs, or host the app in its container image; see ${PYTHON_DOC}.`,
    );
  }
  const missing = requirements.filter((requirement) => !python.modules[requirement.module]?.found);
  if (missing.length > 0) {
    const listed = missing.map((r) => `${r.module} (package ${r.name}, from ${r.source})`).join(", ");
    throw errors.pythonDependencyMissing(
      `${subject} needs Python modules that ${interpreter} (Python ${python.version}, BATCHFN_PYTHON) cannot import: ${listed}. batchfn does not build environments: install the packages for that interpreter, or point BATCHFN_PYTHON at one that has them; see ${PYTHON_DOC}.`,
      missing.map((r) => ({
        path: r.source,
        code: "PythonDependencyMissing",
        message: `module '${r.module}' (package ${r.name}) is not importable in ${interpreter}`,
      })),
    );
  }
  const warnings: string[] = [];
  for (const requirement of requirements) {
    const installed = python.modules[requirement.module]?.version;
    const pinned = requirement.pinned;
    if (pinned === undefined || installed === undefined || sameVersion(installed, pinned)) continue;
    warnings.push(
      `${requirement.source}: ${requirement.name} ${pinned} is asked for; ${interpreter} has ${installed}, which is used`,
    );
  }
  return { python, warnings };
}

/** `1.2.1` satisfies a pin of `1.2.1` or `1.2` (conda's `=1.2` means 1.2.*). */
function sameVersion(installed: string, pinned: string): boolean {
  return installed === pinned || installed.startsWith(`${pinned}.`);
}

/**
 * Imports a scoring script the way the runtime does (its folder and the code folder on `sys.path`,
 * the code folder as working directory) and checks it defines `run`, without calling `init()`.
 * Throws `InvalidScoringScript` with the Python traceback when the import fails.
 */
export async function checkPythonScript(options: {
  interpreter: string;
  codeDir: string;
  scoringScript: string;
  /** An empty folder for the check's model and output folders. */
  scratch: string;
  env: Record<string, string>;
  timeoutSeconds?: number;
}): Promise<void> {
  const { interpreter, codeDir, scoringScript } = options;
  const scriptPath = join(codeDir, scoringScript);
  const found = await access(scriptPath).then(
    () => true,
    () => false,
  );
  if (!found) {
    throw errors.invalidScoringScript(
      `Scoring script '${scoringScript}' is not in the code folder (code_configuration.code).`,
    );
  }
  const modelDir = join(options.scratch, "model");
  const outputDir = join(options.scratch, "outputs");
  await mkdir(modelDir, { recursive: true });
  await mkdir(outputDir, { recursive: true });
  const env = workerEnv({
    kind: "python",
    interpreter,
    scriptPath,
    scriptName: scoringScript,
    codeDir,
    modelDir,
    outputDir,
    env: options.env,
  });
  const lines: string[] = [];
  const process = new PythonProcess({
    interpreter,
    env,
    loggingLevel: "warning",
    setup: {
      type: "setup",
      script: scriptPath,
      scriptName: scoringScript,
      codeDir,
      loggingLevel: "warning",
      check: true,
    },
    onLog: (record) => lines.push(record.message),
  });
  const seconds = options.timeoutSeconds ?? 120;
  const timer = setTimeout(() => process.kill(), seconds * 1000);
  try {
    const answer = await process.next();
    if (answer.type === "ready") return;
    if (answer.type === "error") {
      throw errors.invalidScoringScript(
        `Scoring script '${scoringScript}' cannot be imported by ${interpreter}: ${answer.message}\n${answer.traceback ?? ""}`.trimEnd(),
        { details: [{ path: "code_configuration.scoring_script", message: answer.message }] },
      );
    }
    const how =
      answer.type === "exit" ? describeEnd(answer, interpreter) : `an unexpected '${answer.type}' answer`;
    const output = lines.length > 0 ? `; it wrote: ${lines.slice(-5).join(" | ")}` : "";
    throw errors.invalidScoringScript(
      `Scoring script '${scoringScript}' could not be checked: ${how} while importing it (within ${seconds} s)${output}`,
    );
  } finally {
    clearTimeout(timer);
    process.kill();
  }
}
