import { PYTHON_DOC } from "../../scoring/python/python-checks.js";
import { type PythonProbe, probePython } from "../../scoring/python/python-probe.js";
import { type Handler, handle, json } from "../http.js";
import type { RegistryApiDependencies } from "./dependencies.js";

/** How long an answer about the interpreter is reused before it is asked again. */
const PROBE_SECONDS = 60;

/**
 * `GET /api/runtimes`: the scoring runtimes this app has, so a client can refuse early what it
 * cannot run (the CLI refuses a `.py` deployment when Python is unavailable). Script and ONNX are
 * always there; Python when `BATCHFN_PYTHON` names a working Python 3.
 */
export function createRuntimeHandlers(deps: RegistryApiDependencies): { list: Handler } {
  const interpreter = deps.pythonInterpreter ?? "python3";
  let cached: { probe: Promise<PythonProbe>; at: number } | undefined;
  const python = () => {
    if (!cached || Date.now() - cached.at > PROBE_SECONDS * 1000) {
      cached = { probe: probePython(interpreter), at: Date.now() };
    }
    return cached.probe;
  };
  return {
    list: handle(async () => {
      const probe = await python();
      const common = { name: "python", scoring_scripts: [".py"], setting: "BATCHFN_PYTHON", interpreter };
      const pythonRuntime = probe.available
        ? { ...common, available: true, version: probe.version, executable: probe.executable }
        : { ...common, available: false, reason: probe.reason, doc: PYTHON_DOC };
      return json(200, {
        runtimes: [
          { name: "script", available: true, scoring_scripts: [".js", ".mjs", ".ts"] },
          { name: "onnx", available: true, models: ["onnx", "mlflow with an onnx flavor"] },
          pythonRuntime,
        ],
      });
    }),
  };
}
