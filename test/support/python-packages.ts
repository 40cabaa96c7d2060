import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The Python packages batchfn's Python scoring and the Python examples use, as import names. */
export const PYTHON_SCORING_MODULES = ["sklearn", "pandas", "cloudpickle", "PIL", "numpy"];

/**
 * The interpreter the tests run (`BATCHFN_PYTHON`, default `python3`), after checking that it
 * imports the scoring packages. Never skips: without them it throws, naming the interpreter and the
 * command that installs them.
 */
export async function pythonWithScoringPackages(): Promise<string> {
  const python = process.env.BATCHFN_PYTHON ?? "python3";
  const probe = `import importlib.util, sys\nmissing = [m for m in ${JSON.stringify(PYTHON_SCORING_MODULES)} if importlib.util.find_spec(m) is None]\nprint(",".join(missing))`;
  let missing: string;
  try {
    missing = (await run(python, ["-c", probe])).stdout.trim();
  } catch (thrown) {
    throw new Error(
      `The Python tests need a Python interpreter: '${python}' (BATCHFN_PYTHON) did not run (${String(thrown)}). Run scripts/install-prerequisites.sh and set BATCHFN_PYTHON=/usr/bin/python3.`,
    );
  }
  if (missing !== "") {
    throw new Error(
      `The Python tests need the modules ${missing} in '${python}' (BATCHFN_PYTHON). Run scripts/install-prerequisites.sh (Debian's python3-sklearn python3-pandas python3-cloudpickle python3-pil, for /usr/bin/python3) and set BATCHFN_PYTHON=/usr/bin/python3.`,
    );
  }
  return python;
}

/**
 * Runs a Python program in `cwd` and returns the last line of its standard output parsed as JSON
 * (what it prints before is its own). `env` is added to this process's environment; `onlyEnv`
 * replaces it (to compute in the environment a scoring process gets: OpenBLAS, for one, picks its
 * kernels from variables such as OPENBLAS_CORETYPE, which changes the last bits of float results).
 */
export async function runPythonJson(
  python: string,
  program: string,
  options: { cwd?: string; env?: Record<string, string>; onlyEnv?: Record<string, string> } = {},
): Promise<unknown> {
  const { stdout } = await run(python, ["-c", program], {
    cwd: options.cwd,
    env: options.onlyEnv ?? { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "");
}
