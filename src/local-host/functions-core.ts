import { randomUUID } from "node:crypto";
import Module from "node:module";
import type {
  CoreHookContext,
  Disposable,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookName,
  ProgrammingModel,
  RpcFunctionMetadata,
  RpcLogCategory,
  RpcLogLevel,
} from "./core-types.js";

/** A function as `@azure/functions` registered it with the core module. */
export interface CoreRegistration {
  metadata: RpcFunctionMetadata;
  callback: FunctionCallback;
}

/** A log line written through the core module or an invocation's context. */
export interface CoreLogRecord {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
}

/**
 * Process-wide state behind `@azure/functions-core`, as in the Node worker: one programming model,
 * one list of hooks per hook name, and the registrations of the app being loaded. Kept on
 * `globalThis` so that every copy of this module in the process shares it (the library caches the
 * core module it required once).
 */
export interface CoreState {
  programmingModel: ProgrammingModel | undefined;
  hooks: Map<HookName, HookCallback[]>;
  appHookData: Record<string, unknown>;
  /** Registrations land here while an app's entry is imported; undefined otherwise. */
  capturing: CoreRegistration[] | undefined;
  logSink: (record: CoreLogRecord) => void;
  hostVersion: string;
}

const STATE_KEY = Symbol.for("batchfn.local-host.functions-core");
const CORE_MODULE = "@azure/functions-core";
const WORKER_VERSION = "3.12.0";

class CoreDisposable implements Disposable {
  #onDispose: (() => void) | undefined;

  constructor(onDispose: () => void) {
    this.#onDispose = onDispose;
  }

  static from(...items: Array<{ dispose(): unknown }>): CoreDisposable {
    return new CoreDisposable(() => {
      for (const item of items) item.dispose();
    });
  }

  dispose(): void {
    const onDispose = this.#onDispose;
    this.#onDispose = undefined;
    onDispose?.();
  }
}

/** The shared core state, created on first use. */
export function coreState(): CoreState {
  const holder = globalThis as { [STATE_KEY]?: CoreState };
  holder[STATE_KEY] ??= {
    programmingModel: undefined,
    hooks: new Map(),
    appHookData: {},
    capturing: undefined,
    logSink: writeToConsole,
    hostVersion: "4.1040.0",
  };
  return holder[STATE_KEY];
}

/** Hooks registered under a name, in registration order. */
export function hooksOf(name: HookName): HookCallback[] {
  return [...(coreState().hooks.get(name) ?? [])];
}

/** Runs the hooks of one name in order, awaiting each; a throwing hook stops the chain. */
export async function runHooks(name: HookName, context: CoreHookContext): Promise<void> {
  for (const hook of hooksOf(name)) await hook(context);
}

function registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
  const capturing = coreState().capturing;
  if (!capturing) throw new Error("A function can only be registered during app startup.");
  const functionId = metadata.functionId ?? randomUUID();
  const registration: CoreRegistration = {
    metadata: {
      ...metadata,
      functionId,
      rawBindings: Object.entries(metadata.bindings).map(([name, binding]) =>
        JSON.stringify({ ...binding, name }),
      ),
    },
    callback,
  };
  capturing.push(registration);
  return new CoreDisposable(() => {
    const list = coreState().capturing;
    if (!list) throw new Error("A function can only be disposed during app startup.");
    const index = list.indexOf(registration);
    if (index >= 0) list.splice(index, 1);
  });
}

function registerHook(name: string, callback: HookCallback): Disposable {
  if (!["appStart", "appTerminate", "preInvocation", "postInvocation", "log"].includes(name)) {
    throw new RangeError(`Unrecognized hook "${name}"`);
  }
  const hooks = coreState().hooks;
  const list = hooks.get(name as HookName) ?? [];
  list.push(callback);
  hooks.set(name as HookName, list);
  return new CoreDisposable(() => {
    const index = list.indexOf(callback);
    if (index >= 0) list.splice(index, 1);
  });
}

/** Writes a log record through the log hooks (user records may be rewritten by them) to the sink. */
export function coreLog(record: CoreLogRecord, invocationContext?: unknown): void {
  const state = coreState();
  let { level, message } = record;
  const hooks = hooksOf("log");
  if (hooks.length > 0) {
    const context: CoreHookContext = {
      hookData: {},
      appHookData: state.appHookData,
      invocationContext,
      category: record.category,
      level,
      message,
    };
    for (const hook of hooks) hook(context);
    if (record.category === "user") {
      level = typeof context.level === "string" ? (context.level as RpcLogLevel) : level;
      message = typeof context.message === "string" ? context.message : message;
    }
  }
  state.logSink({ ...record, level, message });
}

const coreModule = {
  version: WORKER_VERSION,
  get hostVersion(): string {
    return coreState().hostVersion;
  },
  registerFunction,
  registerHook,
  setProgrammingModel(model: ProgrammingModel): void {
    coreState().programmingModel = model;
  },
  getProgrammingModel(): ProgrammingModel | undefined {
    return coreState().programmingModel;
  },
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
    coreLog({ level, category, message });
  },
  Disposable: CoreDisposable,
};

const INSTALLED_KEY = Symbol.for("batchfn.local-host.functions-core.installed");

/**
 * Makes `require("@azure/functions-core")` return the core module, the way the Node worker does:
 * by wrapping `Module.prototype.require`, which every CommonJS `require` goes through (including
 * the one inside `@azure/functions`' bundle when an ES module imports it). Idempotent.
 */
export function installFunctionsCore(): void {
  const holder = globalThis as { [INSTALLED_KEY]?: boolean };
  if (holder[INSTALLED_KEY]) return;
  holder[INSTALLED_KEY] = true;
  const original = Module.prototype.require;
  Module.prototype.require = new Proxy(original, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === CORE_MODULE) return coreModule;
      return Reflect.apply(target, thisArg, args);
    },
  });
}

/**
 * Runs `load` (which imports an app's entry) and returns every function registered meanwhile.
 * Loads are serialised: registrations of one load never mix with another's.
 */
export async function captureRegistrations(load: () => Promise<void>): Promise<CoreRegistration[]> {
  const previous = loadQueue;
  let release: () => void = () => undefined;
  loadQueue = new Promise<void>((resolve) => {
    release = resolve;
  });
  await previous;
  const state = coreState();
  const captured: CoreRegistration[] = [];
  state.capturing = captured;
  try {
    await load();
    return captured;
  } finally {
    state.capturing = undefined;
    release();
  }
}

let loadQueue: Promise<void> = Promise.resolve();

function writeToConsole(record: CoreLogRecord): void {
  const where = record.functionName ? `[${record.functionName}] ` : "";
  const line = `${where}${record.message}`;
  if (record.level === "error" || record.level === "critical") console.error(line);
  else if (record.level === "warning") console.warn(line);
  else if (record.level !== "trace" && record.level !== "debug" && record.level !== "none") console.log(line);
}
