import { z } from "zod";
import { type ErrorDetail, errors } from "../errors.js";
import type { FunctionCallback, RpcFunctionMetadata } from "./core-types.js";
import type { CoreRegistration } from "./functions-core.js";

const bindingSchema = z.looseObject({
  type: z.string().min(1),
  direction: z.enum(["in", "out", "inout"]).default("in"),
  route: z.string().optional(),
  methods: z.array(z.string().min(1)).optional(),
  authLevel: z.enum(["anonymous", "function", "admin"]).optional(),
  path: z.string().optional(),
  connection: z.string().optional(),
});

/** The authorization levels of HTTP triggers. */
export type AuthLevel = "anonymous" | "function" | "admin";

/** One binding of a registered function, with the options the host reads lifted out. */
export interface RegisteredBinding {
  name: string;
  type: string;
  direction: "in" | "out" | "inout";
  /** HTTP trigger: route template (default: the function name). */
  route?: string;
  /** HTTP trigger: allowed methods, upper case. */
  methods?: string[];
  authLevel?: AuthLevel;
  /** Blob trigger: `container/{name}` pattern. */
  path?: string;
  /** Name of the app setting holding the storage connection. */
  connection?: string;
  /** Every option as registered, for binding types the host does not interpret. */
  options: Record<string, unknown>;
}

/** A function of the loaded app: its bindings, its trigger and the callback the library registered. */
export interface RegisteredFunction {
  name: string;
  functionId: string;
  trigger: RegisteredBinding;
  bindings: RegisteredBinding[];
  /** The metadata handed to the programming model on every invocation. */
  metadata: RpcFunctionMetadata;
  callback: FunctionCallback;
}

/** True for binding types the host treats as triggers (the library's own rule). */
export function isTriggerType(type: string): boolean {
  return /trigger$/i.test(type);
}

/** Validates a registration captured from `@azure/functions` and lifts out what the host needs. */
export function toRegisteredFunction(registration: CoreRegistration): RegisteredFunction {
  const { metadata, callback } = registration;
  const problems: ErrorDetail[] = [];
  const bindings: RegisteredBinding[] = [];
  for (const [name, raw] of Object.entries(metadata.bindings)) {
    const parsed = bindingSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = [metadata.name, "bindings", name, ...issue.path.map(String)].join(".");
        problems.push({ path, message: `${path}: ${issue.message}` });
      }
      continue;
    }
    const { type, direction, route, methods, authLevel, path, connection } = parsed.data;
    bindings.push({
      name,
      type,
      direction,
      route,
      methods: methods?.map((m) => m.toUpperCase()),
      authLevel,
      path,
      connection,
      options: { ...parsed.data },
    });
  }
  const triggers = bindings.filter((b) => isTriggerType(b.type));
  const [trigger] = triggers;
  if (problems.length === 0 && (!trigger || triggers.length > 1)) {
    problems.push({
      path: `${metadata.name}.bindings`,
      message: `Function '${metadata.name}' must have exactly one trigger binding, found ${triggers.length}`,
    });
  }
  if (problems.length > 0 || !trigger) {
    throw errors.invalidConfig(
      `Invalid registration of function '${metadata.name}': ${problems.map((p) => p.message).join("; ")}`,
      problems,
    );
  }
  return { name: metadata.name, functionId: metadata.functionId, trigger, bindings, metadata, callback };
}
