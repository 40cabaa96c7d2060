import { spawnSync } from "node:child_process";

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
