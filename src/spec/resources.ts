import { z } from "zod";
import { inputDeclarations, ioName, outputDeclarations } from "./job-io.schema.js";

/**
 * The canonical form of every registry resource: the Azure ML v2 vocabulary (snake_case, settings
 * under `settings:` and `resources:`) with every default applied. YAML files in either the v2 or the
 * 2021 form are parsed into these shapes (see `*.schema.ts` beside this file); the registry stores
 * them and the API shows them.
 */

/** Endpoint and deployment names: 3-32 chars, letter first, letter or digit last; `-` and `_` inside. */
export const resourceName = z
  .string()
  .min(3, "must be 3-32 characters long")
  .max(32, "must be 3-32 characters long")
  .regex(
    /^[a-zA-Z][-_a-zA-Z0-9]*[a-zA-Z0-9]$/,
    "must start with a letter, end with a letter or digit, and hold only letters, digits, '-' and '_'",
  );

/** Model, data and datastore names: letters, digits, `-`, `_`, `.`; up to 255 chars. */
export const assetName = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[a-zA-Z0-9][-_.a-zA-Z0-9]*$/,
    "must start with a letter or digit and hold only letters, digits, '-', '_' and '.'",
  );

/** Asset versions are strings; YAML `version: 1` becomes "1". */
export const assetVersion = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(
    z.string().regex(/^[a-zA-Z0-9][-_.a-zA-Z0-9]{0,63}$/, "must be 1-64 letters, digits, '-', '_' or '.'"),
  );

export const tags = z.record(z.string(), z.string());

export const authMode = z.enum(["aad_token", "key"]);
export type AuthMode = z.infer<typeof authMode>;

export const endpointSchema = z.strictObject({
  name: resourceName,
  description: z.string().optional(),
  tags: tags.default({}),
  auth_mode: authMode.default("aad_token"),
  defaults: z.strictObject({ deployment_name: resourceName.optional() }).default({}),
});
export type Endpoint = z.infer<typeof endpointSchema>;

export const outputAction = z.enum(["append_row", "summary_only"]);
/**
 * `aml`: Azure ML's rows (space-separated, no header). `csv`: a real CSV with a header. `jsonl`: one
 * JSON object per row. `parquet`: a Parquet file typed from the model's outputs.
 */
export const outputFormat = z.enum(["aml", "csv", "jsonl", "parquet"]);
export type OutputFormatName = z.infer<typeof outputFormat>;
/** `single_file`: one predictions file (Azure ML's). `per_file`: one per input file, mirroring the input folder. */
export const outputLayout = z.enum(["single_file", "per_file"]);
/** An input column named in `key_field`, `include_columns` or `exclude_columns`. */
export const columnName = z.string().min(1).max(1024);

/** The output file name a format gets when none is given: `predictions.csv` (aml, csv), `.jsonl`, `.parquet`. */
export function defaultOutputFileName(format: OutputFormatName): string {
  return `predictions${formatExtension(format)}`;
}

/** The file extension of an output format (aml rows go into `.csv`, as in Azure ML). */
export function formatExtension(format: OutputFormatName): string {
  return format === "aml" ? ".csv" : `.${format}`;
}
export const loggingLevel = z.enum(["warning", "info", "debug"]);

/**
 * The bounds of `worker_memory_mb`, the memory one scoring worker may use (MB): at least what a
 * worker needs to load a script, at most a documented cap (the host also refuses more than it has).
 */
export const WORKER_MEMORY_MB = { min: 128, max: 65_536 } as const;
export const workerMemoryMb = z.number().int().min(WORKER_MEMORY_MB.min).max(WORKER_MEMORY_MB.max);

export const retrySettingsSchema = z.strictObject({
  max_retries: z.number().int().min(0).default(3),
  timeout: z.number().int().min(1).default(30),
});

export const deploymentSettingsSchema = z.strictObject({
  max_concurrency_per_instance: z.number().int().min(1).default(1),
  mini_batch_size: z.number().int().min(1).default(10),
  /** batchfn addition: split one tabular file into mini-batches of this many rows. */
  mini_batch_rows: z.number().int().min(1).optional(),
  output_action: outputAction.default("append_row"),
  output_file_name: z.string().min(1).default("predictions.csv"),
  output_format: outputFormat.default("aml"),
  /** batchfn addition: one predictions file per input file (`per_file`). */
  output_layout: outputLayout.default("single_file"),
  /** batchfn addition (no-code runtimes): an input column copied into every prediction row. */
  key_field: columnName.optional(),
  /** batchfn addition (no-code runtimes): input columns joined to the prediction rows (`["*"]`: all). */
  include_columns: z.array(columnName).min(1).optional(),
  /** batchfn addition (no-code runtimes): every input column but these joined to the prediction rows. */
  exclude_columns: z.array(columnName).min(1).optional(),
  retry_settings: retrySettingsSchema.default({ max_retries: 3, timeout: 30 }),
  error_threshold: z.number().int().min(-1).default(-1),
  logging_level: loggingLevel.default("info"),
  /** batchfn addition: memory (MB) one scoring worker may use; absent: the host's `BATCHFN_WORKER_MEMORY_MB`. */
  worker_memory_mb: workerMemoryMb.optional(),
  /** batchfn addition: the named input the mini-batches are cut from; absent: the only data input. */
  default_input: ioName.optional(),
});
export type DeploymentSettings = z.infer<typeof deploymentSettingsSchema>;

export const modelReferenceSchema = z.strictObject({ name: assetName, version: assetVersion });
export type ModelReference = z.infer<typeof modelReferenceSchema>;

export const deploymentSchema = z.strictObject({
  name: resourceName,
  endpoint_name: resourceName,
  description: z.string().optional(),
  tags: tags.default({}),
  model: modelReferenceSchema,
  /** `code` is where the scoring code lives: an artifact URI once registered. */
  code_configuration: z
    .strictObject({ code: z.string().min(1), scoring_script: z.string().min(1) })
    .optional(),
  environment_variables: z.record(z.string(), z.string()).default({}),
  resources: z
    .strictObject({ instance_count: z.number().int().min(1).default(1) })
    .default({ instance_count: 1 }),
  settings: deploymentSettingsSchema.default(deploymentSettingsSchema.parse({})),
  /** batchfn addition: the named inputs the deployment takes, with their types (and literal defaults). */
  inputs: inputDeclarations.optional(),
  /** batchfn addition: the folders beyond `score` its scoring script writes into. */
  outputs: outputDeclarations.optional(),
  /** Python-only keys (environment, compute...): kept as written, reported as "accepted, not used". */
  accepted_not_used: z.record(z.string(), z.unknown()).default({}),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const modelType = z.enum(["custom_model", "mlflow_model"]);

export const modelSchema = z.strictObject({
  name: assetName,
  version: assetVersion,
  type: modelType.default("custom_model"),
  /** Where the model files are: a datastore URI, an https URL or an artifact URI once registered. */
  path: z.string().min(1),
  description: z.string().optional(),
  tags: tags.default({}),
});
export type Model = z.infer<typeof modelSchema>;

export const dataType = z.enum(["uri_file", "uri_folder"]);

export const dataAssetSchema = z.strictObject({
  name: assetName,
  version: assetVersion,
  type: dataType.default("uri_folder"),
  path: z.string().min(1),
  description: z.string().optional(),
  tags: tags.default({}),
});
export type DataAsset = z.infer<typeof dataAssetSchema>;

export const datastoreSchema = z.strictObject({
  name: assetName,
  type: z.literal("azure_blob").default("azure_blob"),
  /** Absent: the app's own storage account. Present: another account, reached by the app's identity. */
  account_name: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, "must be 3-24 lowercase letters or digits")
    .optional(),
  container_name: z
    .string()
    .regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be a valid blob container name"),
  endpoint: z.string().default("core.windows.net"),
  protocol: z.enum(["https"]).default("https"),
  description: z.string().optional(),
  tags: tags.default({}),
});
export type Datastore = z.infer<typeof datastoreSchema>;

/**
 * Fields the API adds when it shows a resource, never part of a document: the API drops them from a
 * body sent back (so a GET's answer can be PUT again), and so does the CLI turning a shown resource
 * back into a document.
 */
export const READ_ONLY_FIELDS = ["id", "scoring_uri", "provisioning_state", "created_at", "updated_at"];

/** The built-in datastore over the app's data container (the default of inputs and outputs). */
export const WORKSPACE_BLOB_STORE = "workspaceblobstore";
/** The built-in datastore over the artifacts container, where registered model and code files live. */
export const WORKSPACE_ARTIFACT_STORE = "workspaceartifactstore";
