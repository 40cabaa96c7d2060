import { spawn } from "node:child_process";
import { z } from "zod";
import type { PythonRequirement } from "./python-requirements.js";

/** What an interpreter answered about itself and the modules asked for. */
export type PythonProbe =
  | {
      available: true;
      interpreter: string;
      version: string;
      executable: string;
      /** For each module asked for: whether it can be found, and its distribution's version. */
      modules: Record<string, { found: boolean; version?: string }>;
    }
  | { available: false; interpreter: string; reason: string };

const PROBE = `
import importlib.util, json, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
asked = json.loads(sys.argv[1])
modules = {}
for module, distribution in asked:
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    entry = {"found": found}
    if found and metadata is not None:
        try:
            entry["version"] = metadata.version(distribution)
        except Exception:
            pass
    modules[module] = entry
print(json.dumps({"version": sys.version.split()[0], "executable": sys.executable, "modules": modules}))
`;

const answerSchema = z.object({
  version: z.string(),
  executable: z.string(),
  modules: z.record(z.string(), z.object({ found: z.boolean(), version: z.string().optional() })),
});

/**
 * Asks `interpreter` for its version and whether each requirement's module can be found (without
 * importing it). An interpreter that cannot be started, is not Python 3 or does not answer within
 * `timeoutMs` is reported unavailable, with the reason.
 */
export function probePython(
  interpreter: string,
  requirements: PythonRequirement[] = [],
  timeoutMs = 30_000,
): Promise<PythonProbe> {
  const asked = requirements.map((requirement) => [requirement.module, requirement.name]);
  return new Promise((resolve) => {
    const unavailable = (reason: string) => resolve({ available: false, interpreter, reason });
    const child = spawn(interpreter, ["-I", "-c", PROBE, JSON.stringify(asked)], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (error) => unavailable(`it could not be started (${error.message})`));
    child.on("close", (code, signal) => {
      if (signal) return unavailable(`it did not answer within ${timeoutMs / 1000} s (${signal})`);
      if (code !== 0) {
        const last = stderr.trim().split("\n").pop() ?? "";
        return unavailable(`it exited with code ${code}${last ? `: ${last}` : ""}`);
      }
      const parsed = answerSchema.safeParse(safeJson(stdout.trim().split("\n").pop() ?? ""));
      if (!parsed.success) return unavailable("it did not answer as Python 3 does");
      if (!parsed.data.version.startsWith("3.")) {
        return unavailable(`it is Python ${parsed.data.version}; batchfn needs Python 3`);
      }
      resolve({ available: true, interpreter, ...parsed.data });
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
