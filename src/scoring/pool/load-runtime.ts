import { basename } from "node:path";
import type { ScoringContext, ScoringRuntime, ThreadRuntimeSpec } from "../runtime.js";
import { createScriptRuntime } from "../script/script-runtime.js";

/** Builds the runtime a spec names, inside the worker; the ONNX runtime is loaded only when used. */
export async function loadRuntime(spec: ThreadRuntimeSpec, context: ScoringContext): Promise<ScoringRuntime> {
  if (spec.kind === "script") return createScriptRuntime(spec, context);
  const { createOnnxRuntime } = await import("../onnx/onnx-runtime.js");
  return createOnnxRuntime(spec, context);
}

/** How the start of a runtime is named in messages about it. */
export function runtimeStartName(spec: ThreadRuntimeSpec): string {
  if (spec.kind === "onnx") return "the ONNX runtime's start";
  return `init() of '${spec.scriptName ?? basename(spec.scriptPath)}'`;
}
