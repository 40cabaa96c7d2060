import { z } from "zod";
import { caseInsensitive } from "./fields.js";
import { ioName } from "./job-io.schema.js";
import { outputFileName } from "./names.js";
import {
  columnName,
  loggingLevel,
  outputAction,
  outputFormat,
  outputLayout,
  workerMemoryMb,
} from "./resources.js";

/**
 * The scoring settings of a deployment as written: under `settings:` in the v2 form, at the root of
 * the deployment in the 2021 form. Nothing is defaulted here: the canonical `deploymentSettingsSchema`
 * applies the defaults once both forms are merged.
 */
export const settingsFields = {
  max_concurrency_per_instance: z.number().int().min(1).optional(),
  mini_batch_size: z.number().int().min(1).optional(),
  mini_batch_rows: z.number().int().min(1).optional(),
  output_action: caseInsensitive(outputAction).optional(),
  output_file_name: outputFileName.optional(),
  output_format: caseInsensitive(outputFormat).optional(),
  output_layout: caseInsensitive(outputLayout).optional(),
  key_field: columnName.optional(),
  include_columns: z.array(columnName).min(1).optional(),
  exclude_columns: z.array(columnName).min(1).optional(),
  retry_settings: z
    .strictObject({
      max_retries: z.number().int().min(0).optional(),
      timeout: z.number().int().min(1).optional(),
    })
    .optional(),
  error_threshold: z.number().int().min(-1).optional(),
  logging_level: caseInsensitive(loggingLevel).optional(),
  worker_memory_mb: workerMemoryMb.optional(),
  /** batchfn addition: the named input the mini-batches are cut from (see `job-io.schema.ts`). */
  default_input: ioName.optional(),
};

/** The names of the settings, the keys that may sit at the root of a 2021 deployment. */
export const SETTINGS_KEYS = Object.keys(settingsFields) as (keyof typeof settingsFields)[];

export const environmentVariables = z.record(z.string(), z.string());

/** `settings:` of a v2 deployment; newer files also put `environment_variables` here. */
export const settingsInput = z.strictObject({
  ...settingsFields,
  environment_variables: environmentVariables.optional(),
});
