import type { LogRecord } from "./spec/log-record.schema.js";

/** One problem inside a request or a document, located by its path (`settings.mini_batch_size`). */
export interface ErrorDetail {
  path?: string;
  code?: string;
  message: string;
}

export interface BatchfnErrorOptions {
  code: string;
  message: string;
  status: number;
  details?: ErrorDetail[];
  retryable?: boolean;
  cause?: unknown;
  /** Log records captured while the failing work ran (a mini-batch's script and engine lines). */
  logs?: LogRecord[];
}

/** What a scoring failure carries besides its message. */
export interface ScoringFailureOptions {
  logs?: LogRecord[];
  cause?: unknown;
  details?: ErrorDetail[];
}

/**
 * The one error type of batchfn. `code` is stable and documented; `status` is the HTTP status the
 * API answers with; `details` lists every problem when there are several (validation).
 */
export class BatchfnError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[];
  readonly retryable: boolean;
  readonly logs: LogRecord[];

  constructor(options: BatchfnErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BatchfnError";
    this.code = options.code;
    this.status = options.status;
    this.details = options.details ?? [];
    this.retryable = options.retryable ?? false;
    this.logs = options.logs ?? [];
  }

  /** The body every error answer carries: `{"error": {"code", "message", "details"}}`. */
  toBody(): { error: { code: string; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** Factories, one per case, so codes and statuses are decided here and nowhere else. */
export const errors = {
  invalidSpec: (message: string, details: ErrorDetail[]) =>
    new BatchfnError({ code: "InvalidSpec", status: 400, message, details }),
  invalidConfig: (message: string, details: ErrorDetail[]) =>
    new BatchfnError({ code: "InvalidConfig", status: 500, message, details }),
  /** Settings above the bounds this host runs (src/spec/setting-limits.ts), each detail naming one. */
  limitExceeded: (what: string, details: ErrorDetail[]) =>
    new BatchfnError({
      code: "LimitExceeded",
      status: 400,
      message: `${what} asks for more than this host allows: ${details.map((d) => d.message).join("; ")}`,
      details,
    }),
  notFound: (kind: string, name: string) =>
    new BatchfnError({ code: "NotFound", status: 404, message: `${kind} '${name}' was not found.` }),
  alreadyExists: (kind: string, name: string) =>
    new BatchfnError({ code: "AlreadyExists", status: 409, message: `${kind} '${name}' already exists.` }),
  concurrentUpdate: (kind: string, name: string) =>
    new BatchfnError({
      code: "ConcurrentUpdate",
      status: 409,
      message: `${kind} '${name}' was changed by someone else since it was read; read it again and retry.`,
    }),
  invalidReference: (message: string) => new BatchfnError({ code: "InvalidReference", status: 400, message }),
  invalidInputFile: (message: string) => new BatchfnError({ code: "InvalidInputFile", status: 400, message }),
  unsupportedFileType: (message: string) =>
    new BatchfnError({ code: "UnsupportedFileType", status: 400, message }),
  missingColumn: (message: string) => new BatchfnError({ code: "MissingColumn", status: 400, message }),
  invalidColumnValue: (message: string) =>
    new BatchfnError({ code: "InvalidColumnValue", status: 400, message }),
  inputSchemaMismatch: (message: string) =>
    new BatchfnError({ code: "InputSchemaMismatch", status: 400, message }),
  invalidModel: (message: string) => new BatchfnError({ code: "InvalidModel", status: 400, message }),
  unsupportedModelFlavor: (message: string) =>
    new BatchfnError({ code: "UnsupportedModelFlavor", status: 400, message }),
  modelRunFailed: (message: string, cause?: unknown) =>
    new BatchfnError({ code: "ModelRunFailed", status: 500, message, cause }),
  deploymentIsDefault: (endpoint: string, deployment: string) =>
    new BatchfnError({
      code: "DeploymentIsDefault",
      status: 409,
      message: `Batch deployment '${deployment}' is the default deployment of endpoint '${endpoint}'; switch the default (defaults.deployment_name) to another deployment first.`,
    }),
  protectedResource: (message: string) =>
    new BatchfnError({ code: "ProtectedResource", status: 409, message }),
  corruptRecord: (message: string, details: ErrorDetail[] = []) =>
    new BatchfnError({ code: "CorruptRecord", status: 500, message, details }),
  invalidScoringScript: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "InvalidScoringScript", status: 400, message, ...options }),
  scriptInitFailed: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "ScriptInitFailed", status: 500, message, ...options }),
  scriptError: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "ScriptError", status: 500, message, retryable: true, ...options }),
  miniBatchTimeout: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "MiniBatchTimeout", status: 504, message, retryable: true, ...options }),
  workerCrashed: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "WorkerCrashed", status: 500, message, retryable: true, ...options }),
  /** An attempt stopped, or never started, because its job was canceled: nothing of it is kept. */
  miniBatchCanceled: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "MiniBatchCanceled", status: 409, message, ...options }),
  pythonUnavailable: (message: string) =>
    new BatchfnError({ code: "PythonUnavailable", status: 400, message }),
  pythonDependencyMissing: (message: string, details: ErrorDetail[]) =>
    new BatchfnError({ code: "PythonDependencyMissing", status: 400, message, details }),
  workerOutOfMemory: (message: string, options: ScoringFailureOptions = {}) =>
    new BatchfnError({ code: "WorkerOutOfMemory", status: 500, message, retryable: true, ...options }),
  invalidInput: (message: string) => new BatchfnError({ code: "InvalidInput", status: 400, message }),
  datastoreNotFound: (name: string) =>
    new BatchfnError({
      code: "DatastoreNotFound",
      status: 400,
      message: `Datastore '${name}' was not found.`,
    }),
  inputNotFound: (message: string) => new BatchfnError({ code: "InputNotFound", status: 400, message }),
  /** A local file or folder the CLI cannot read (a symlink loop, no permission). */
  localFileUnreadable: (message: string, cause?: unknown) =>
    new BatchfnError({ code: "LocalFileUnreadable", status: 400, message, cause }),
  inputEmpty: (message: string) => new BatchfnError({ code: "InputEmpty", status: 400, message }),
  inputTypeMismatch: (message: string) =>
    new BatchfnError({ code: "InputTypeMismatch", status: 400, message }),
  /** An input name the deployment does not declare. */
  unknownInput: (path: string, message: string) =>
    new BatchfnError({ code: "UnknownInput", status: 400, message, details: [{ path, message }] }),
  /** An output name the deployment does not declare, or a job does not have. */
  unknownOutput: (path: string, message: string) =>
    new BatchfnError({ code: "UnknownOutput", status: 400, message, details: [{ path, message }] }),
  /** An input the deployment requires (or names as the default) that the invocation does not give. */
  missingInput: (path: string, message: string) =>
    new BatchfnError({ code: "MissingInput", status: 400, message, details: [{ path, message }] }),
  /** More than one input could be the default one (the one mini-batches are cut from). */
  ambiguousDefaultInput: (message: string, details: ErrorDetail[]) =>
    new BatchfnError({ code: "AmbiguousDefaultInput", status: 400, message, details }),
  /** Literal inputs whose values are not of their types. */
  invalidLiteral: (details: ErrorDetail[]) =>
    new BatchfnError({
      code: "InvalidLiteral",
      status: 400,
      message: `Invalid literal input: ${details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ")}`,
      details,
    }),
  /** A job that cannot be re-run yet: it has not ended. */
  jobNotFinished: (job: string, status: string) =>
    new BatchfnError({
      code: "JobNotFinished",
      status: 409,
      message: `Job '${job}' is ${status}; only a job that has ended can be re-run (wait for it, or cancel it first).`,
    }),
  /** A re-run of the failed items of a job that has none. */
  noFailedItems: (job: string) =>
    new BatchfnError({
      code: "NoFailedItems",
      status: 409,
      message: `Job '${job}' has no failed items (its errors.jsonl lists none); there is nothing to re-run with failed_only.`,
    }),
  inputUnreachable: (message: string, cause?: unknown) =>
    new BatchfnError({ code: "InputUnreachable", status: 502, message, retryable: true, cause }),
  inputChanged: (message: string) => new BatchfnError({ code: "InputChanged", status: 409, message }),
  outputExists: (file: string) =>
    new BatchfnError({
      code: "OutputExists",
      status: 409,
      message: `Output file '${file}' already exists; choose another output path or file name, or set overwrite: true.`,
    }),
  outputInUse: (folder: string) =>
    new BatchfnError({
      code: "OutputInUse",
      status: 409,
      message: `Output folder '${folder}' belongs to another job, or holds or lies inside another job's output folder; choose another output path (overwrite never replaces another job's output).`,
    }),
  outputNotAllowed: (folder: string, reason: string) =>
    new BatchfnError({
      code: "OutputNotAllowed",
      status: 400,
      message: `Output path '${folder}' is not writable: ${reason}. Jobs write only to data datastores.`,
      details: [{ path: "output_path", message: reason }],
    }),
  jobNameTaken: (name: string) =>
    new BatchfnError({
      code: "JobNameTaken",
      status: 409,
      message: `Job name '${name}' is taken by a job of another endpoint (or of an earlier endpoint of this name); choose another job_name.`,
    }),
  outputColumnsMismatch: (message: string) =>
    new BatchfnError({ code: "OutputColumnsMismatch", status: 400, message }),
  /** A model output (or a returned value) that the chosen `output_format` cannot hold (Parquet). */
  unsupportedOutputType: (message: string, details: ErrorDetail[] = []) =>
    new BatchfnError({ code: "UnsupportedOutputType", status: 400, message, details }),
  /** Two input files that would write the same output file (`output_layout: per_file`). */
  outputNameClash: (message: string) => new BatchfnError({ code: "OutputNameClash", status: 400, message }),
  taskHubInUse: (message: string) => new BatchfnError({ code: "TaskHubInUse", status: 409, message }),
  unsupportedMediaType: (type: string, accepted: readonly string[]) =>
    new BatchfnError({
      code: "UnsupportedMediaType",
      status: 415,
      message: `Content-Type '${type}' is not accepted here; send ${accepted.join(" or ")}.`,
    }),
  payloadTooLarge: (limit: number) =>
    new BatchfnError({
      code: "PayloadTooLarge",
      status: 413,
      message: `The body is larger than ${limit} bytes.`,
    }),
  invalidJson: (message: string) =>
    new BatchfnError({ code: "InvalidJson", status: 400, message: `The body is not valid JSON: ${message}` }),
  invalidYaml: (message: string) =>
    new BatchfnError({ code: "InvalidYaml", status: 400, message: `The body is not valid YAML: ${message}` }),
  invalidEncoding: () =>
    new BatchfnError({
      code: "InvalidEncoding",
      status: 400,
      message: "The body is not valid UTF-8; send JSON or YAML encoded as UTF-8.",
    }),
  forbiddenKey: (path: string) =>
    new BatchfnError({
      code: "ForbiddenKey",
      status: 400,
      message: `The body holds the key '__proto__' (at '${path}'), which is refused.`,
      details: [{ path, message: "'__proto__' is not a valid key" }],
    }),
  emptyBody: () => new BatchfnError({ code: "EmptyBody", status: 400, message: "The request has no body." }),
  nameMismatch: (field: string, inBody: string, inUrl: string) =>
    new BatchfnError({
      code: "NameMismatch",
      status: 400,
      message: `${field} '${inBody}' in the body does not match '${inUrl}' in the URL.`,
    }),
  noDefaultDeployment: (endpoint: string) =>
    new BatchfnError({
      code: "NoDefaultDeployment",
      status: 400,
      message: `Batch endpoint '${endpoint}' has no default deployment; name one with the header 'azureml-model-deployment' or the body field 'deployment_name'.`,
    }),
  invalidParameter: (name: string, message: string) =>
    new BatchfnError({
      code: "InvalidParameter",
      status: 400,
      message: `${name} ${message}`,
      details: [{ path: name, message }],
    }),
  localPathNotAllowed: (field: string, path: string) =>
    new BatchfnError({
      code: "LocalPathNotAllowed",
      status: 400,
      message: `${field} '${path}' is a local path, which the server cannot read; upload the files first (POST /api/artifacts or /api/artifact-uploads) and give the artifact URI it returns.`,
      details: [{ path: field, message: "must be a URI (azureml://..., https://...), not a local path" }],
    }),
  uploadMismatch: (message: string, details: ErrorDetail[]) =>
    new BatchfnError({ code: "UploadMismatch", status: 400, message, details }),
  sasUnavailable: (message: string) => new BatchfnError({ code: "SasUnavailable", status: 501, message }),
  monitorUnavailable: (message: string) =>
    new BatchfnError({ code: "MonitorUnavailable", status: 503, message }),
  unauthenticated: (message: string) => new BatchfnError({ code: "Unauthenticated", status: 401, message }),
  forbidden: (message: string) => new BatchfnError({ code: "Forbidden", status: 403, message }),
  authUnavailable: (message: string, cause?: unknown) =>
    new BatchfnError({ code: "AuthUnavailable", status: 503, message, retryable: true, cause }),
  authModeMismatch: (message: string) => new BatchfnError({ code: "AuthModeMismatch", status: 409, message }),
  /** Storage (or the Durable backend) cannot be reached; the answer names no address. */
  storageUnavailable: (cause?: unknown) =>
    new BatchfnError({
      code: "StorageUnavailable",
      status: 503,
      message: "The app's storage cannot be reached right now; nothing was changed. Retry in a moment.",
      retryable: true,
      cause,
    }),
  serverUnreachable: (url: string, reason: string) =>
    new BatchfnError({
      code: "ServerUnreachable",
      status: 503,
      message: `Cannot reach batchfn at ${url} (${reason}); start it (npm start) or point --url / BATCHFN_URL at it.`,
      retryable: true,
    }),
  /** An answer the CLI cannot read; `status` is the HTTP status that came with it. */
  unexpectedResponse: (message: string, status = 502) =>
    new BatchfnError({ code: "UnexpectedResponse", status, message }),
};

/** Normalises anything thrown into an Error, keeping Errors as they are. */
export function ensureError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * True when `thrown` (or an error it wraps: `cause`, an `AggregateError`'s `errors`) is a failure to
 * reach a service over the network: the storage SDKs throw these when storage is down.
 */
export function isConnectionFailure(thrown: unknown, depth = 0): boolean {
  if (depth > 5 || typeof thrown !== "object" || thrown === null) return false;
  const code = (thrown as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  const nested = [
    (thrown as { cause?: unknown }).cause,
    ...((thrown as { errors?: unknown[] }).errors ?? []),
  ];
  return nested.some((inner) => isConnectionFailure(inner, depth + 1));
}
