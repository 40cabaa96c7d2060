/**
 * The shapes of the `@azure/functions-core` module the Node worker provides to `@azure/functions`:
 * the subset of the worker's RPC types the library reads and writes. Written from the module's
 * public declaration (azure-functions-nodejs-library `types-core/index.d.ts`); the library is the
 * judge of what each field means.
 */

export type RpcLogLevel = "trace" | "debug" | "information" | "warning" | "error" | "critical" | "none";
export type RpcLogCategory = "user" | "system" | "customMetric";

export interface RpcNullableString {
  value?: string | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: RpcNullableString | null;
  path?: RpcNullableString | null;
  expires?: { value?: { seconds?: number | null; nanos?: number | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: "none" | "lax" | "strict" | "explicitNone" | null;
  maxAge?: { value?: number | null } | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  statusCode?: string | null;
  query?: Record<string, string> | null;
  enableContentNegotiation?: boolean | null;
  cookies?: RpcHttpCookie[] | null;
}

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
}

export interface RpcBindingInfo {
  type?: string | null;
  direction?: "in" | "out" | "inout" | null;
  dataType?: string | null;
  properties?: Record<string, string> | null;
  [option: string]: unknown;
}

export interface RpcParameterBinding {
  name?: string | null;
  data?: RpcTypedData | null;
}

export interface RpcInvocationRequest {
  invocationId?: string | null;
  functionId?: string | null;
  inputData?: RpcParameterBinding[] | null;
  triggerMetadata?: Record<string, RpcTypedData> | null;
  retryContext?: { retryCount?: number | null; maxRetryCount?: number | null } | null;
}

export interface RpcInvocationResponse {
  invocationId?: string | null;
  outputData?: RpcParameterBinding[] | null;
  returnValue?: RpcTypedData | null;
}

/** What `registerFunction` receives: name, bindings by name and optional retry options. */
export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export interface RpcFunctionMetadata extends FunctionMetadata {
  functionId: string;
  directory?: string;
  scriptFile?: string;
  rawBindings: string[];
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export type InvocationState = "preInvocationHooks" | "postInvocationHooks" | "invocation";

export interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: RpcFunctionMetadata;
  state?: InvocationState;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export interface InvocationArguments {
  context: unknown;
  inputs: unknown[];
}

export interface InvocationModel {
  getArguments(): Promise<InvocationArguments>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export type WorkerCapabilities = Record<string, string>;

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(defaults: WorkerCapabilities): WorkerCapabilities | Promise<WorkerCapabilities>;
}

export type HookName = "appStart" | "appTerminate" | "preInvocation" | "postInvocation" | "log";

/** The object every hook callback receives; the library wraps it in its own context classes. */
export interface CoreHookContext {
  readonly hookData: Record<string, unknown>;
  readonly appHookData: Record<string, unknown>;
  [field: string]: unknown;
}

export type HookCallback = (context: CoreHookContext) => unknown;

export interface Disposable {
  dispose(): void;
}
