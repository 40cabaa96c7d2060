import { randomUUID } from "node:crypto";
import { ensureError, errors } from "../errors.js";
import type {
  CoreHookContext,
  CoreInvocationContext,
  FunctionCallback,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcTypedData,
} from "./core-types.js";
import { coreLog, coreState, runHooks } from "./functions-core.js";
import type { RegisteredFunction } from "./registered-function.js";
import { fromTypedData, toTypedData } from "./typed-data.js";

/** What the host hands to one invocation. Values are encoded with `toTypedData`. */
export interface InvokeOptions {
  /** The trigger's data: e.g. the activity input, the orchestration trigger input, a blob's bytes. */
  triggerValue?: unknown;
  /** Values of the other input bindings by binding name (e.g. the durableClient binding value). */
  inputs?: Record<string, unknown>;
  /** Trigger metadata by key, as the host names it (`BlobTrigger`, `Uri`, `name`...). */
  triggerMetadata?: Record<string, unknown>;
  invocationId?: string;
  retryContext?: { retryCount: number; maxRetryCount: number };
}

/** What the invocation produced, decoded with `fromTypedData`, plus the raw RPC response. */
export interface InvocationResult {
  invocationId: string;
  /** The callback's own value (after postInvocation hooks), before the library converted it. */
  result: unknown;
  returnValue: unknown;
  outputs: Record<string, unknown>;
  response: RpcInvocationResponse;
}

/**
 * Invokes a registered function the way the Node worker does: the programming model that
 * `@azure/functions` set builds the real `InvocationContext` and inputs from RPC data
 * (`fromRpcTypedData`, `HttpRequest`...), preInvocation hooks run, the callback runs,
 * postInvocation hooks run, and the library converts the result back (`toRpcTypedData`,
 * `toRpcHttp`). A failing callback rejects with its own error (e.g. an orchestrator's
 * `$OutOfProcData$` error).
 */
export async function invokeFunction(
  fn: RegisteredFunction,
  options: InvokeOptions = {},
): Promise<InvocationResult> {
  const model = coreState().programmingModel;
  if (!model) {
    throw errors.invalidConfig(
      `No programming model is set: was '${fn.name}' registered by @azure/functions?`,
      [{ path: fn.name, message: "no programming model" }],
    );
  }
  const invocationId = options.invocationId ?? randomUUID();
  let invocationContext: unknown;
  const coreContext: CoreInvocationContext = {
    invocationId,
    request: {
      invocationId,
      functionId: fn.functionId,
      inputData: inputData(fn, options),
      triggerMetadata: triggerMetadata(options.triggerMetadata),
      retryContext: options.retryContext,
    },
    metadata: fn.metadata,
    state: undefined,
    log: (level, category, message) =>
      coreLog({ level, category, message, functionName: fn.name, invocationId }, invocationContext),
  };
  const invocation = await model.getInvocationModel(coreContext);
  coreContext.state = "preInvocationHooks";
  const { context, inputs } = await invocation.getArguments();
  invocationContext = context;
  const hookData: Record<string, unknown> = {};
  const appHookData = coreState().appHookData;
  const pre: CoreHookContext = {
    hookData,
    appHookData,
    invocationContext: context,
    inputs,
    functionCallback: fn.callback,
  };
  await runHooks("preInvocation", pre);

  coreContext.state = "invocation";
  const post: CoreHookContext = { hookData, appHookData, invocationContext: context, inputs: pre.inputs };
  try {
    const callback = isCallback(pre.functionCallback) ? pre.functionCallback : fn.callback;
    const args = Array.isArray(pre.inputs) ? pre.inputs : inputs;
    post.result = await invocation.invokeFunction(context, args, callback);
  } catch (thrown) {
    post.error = thrown;
  }
  coreContext.state = "postInvocationHooks";
  await runHooks("postInvocation", post);
  if (post.error !== undefined && post.error !== null) throw ensureError(post.error);

  coreContext.state = undefined;
  const response = await invocation.getResponse(context, post.result);
  const outputs: Record<string, unknown> = {};
  for (const binding of response.outputData ?? []) {
    if (binding.name) outputs[binding.name] = fromTypedData(binding.data);
  }
  return {
    invocationId,
    result: post.result,
    returnValue: fromTypedData(response.returnValue),
    outputs,
    response,
  };
}

function inputData(fn: RegisteredFunction, options: InvokeOptions): RpcParameterBinding[] {
  const data: RpcParameterBinding[] = [{ name: fn.trigger.name, data: toTypedData(options.triggerValue) }];
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    const binding = fn.bindings.find((b) => b.name === name);
    if (!binding || binding.direction === "out" || binding === fn.trigger) {
      throw errors.invalidConfig(`Function '${fn.name}' has no input binding named '${name}'`, [
        { path: `${fn.name}.bindings.${name}`, message: "no such input binding" },
      ]);
    }
    data.push({ name, data: toTypedData(value) });
  }
  return data;
}

function triggerMetadata(metadata: Record<string, unknown> | undefined): Record<string, RpcTypedData> {
  const encoded: Record<string, RpcTypedData> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const data = toTypedData(value);
    if (data) encoded[key] = data;
  }
  return encoded;
}

function isCallback(value: unknown): value is FunctionCallback {
  return typeof value === "function";
}
