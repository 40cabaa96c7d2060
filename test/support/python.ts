import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The packages the Python tests use, as `scripts/install-prerequisites.sh` installs them for Debian's python3. */
const MODULES = ["sklearn", "pandas", "cloudpickle", "PIL"];

let checked: string | undefined;

/**
 * The interpreter the Python tests run (`BATCHFN_PYTHON`, default `python3`), once it is known to
 * import the packages they need. Without them the test fails, naming the interpreter and the command
 * that installs them: Python scoring is part of batchfn, so its tests are never skipped.
 */
export function testPython(): string {
  if (checked) return checked;
  const interpreter = process.env.BATCHFN_PYTHON || "python3";
  const probe = spawnSync(interpreter, ["-c", `import ${MODULES.join(", ")}`], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : probe.stderr.trim().split("\n").pop();
    throw new Error(
      `The Python scoring tests need ${MODULES.join(", ")} importable in '${interpreter}' (BATCHFN_PYTHON): ${why}. ` +
        "Install them with scripts/install-prerequisites.sh (Debian's python3-sklearn python3-pandas " +
        "python3-cloudpickle python3-pil, for /usr/bin/python3) and run the tests with BATCHFN_PYTHON=/usr/bin/python3.",
    );
  }
  checked = interpreter;
  return interpreter;
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
