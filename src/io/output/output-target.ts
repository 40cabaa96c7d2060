import { z } from "zod";
import { errors } from "../../errors.js";
import { jobName, outputFileNameProblem } from "../../spec/names.js";
import { outputAction, outputFormat, outputLayout } from "../../spec/resources.js";
import { blobStoreSchema } from "../inputs/blob-access.js";

/** A folder in blob storage where a job's output files go. `prefix` is "" or ends with `/`. */
export const outputLocationSchema = z.strictObject({
  /** `azureml://datastores/<ds>/paths/<prefix>`: how files are named to the user. */
  display: z.string(),
  store: blobStoreSchema,
  container: z.string().min(1),
  prefix: z.string(),
});
export type OutputLocation = z.infer<typeof outputLocationSchema>;

/**
 * Blocks one output blob may commit: Azure's limit is 50,000 committed and 100,000 uncommitted
 * blocks. A file takes one block per non-empty mini-batch attempt (retries stage new blocks) plus a
 * CSV header, so 25,000 mini-batches per file leave room for four attempts of each on average.
 */
export const DEFAULT_MINI_BATCHES_PER_FILE = 25_000;

/** Everything the output writer needs, small and serialisable (it travels in activity inputs). */
export const outputTargetSchema = z.strictObject({
  job: jobName,
  location: outputLocationSchema,
  action: outputAction,
  fileName: z.string().min(1),
  format: outputFormat,
  /** `per_file`: one predictions file per input file, named after it (`output-layout.ts`). */
  layout: outputLayout.default("single_file"),
  /** Mini-batches in the plan: fixes how the output is sharded before any of them runs. */
  miniBatches: z.number().int().min(1),
  maxMiniBatchesPerFile: z.number().int().min(1).default(DEFAULT_MINI_BATCHES_PER_FILE),
  overwrite: z.boolean().default(false),
});
export type OutputTarget = z.infer<typeof outputTargetSchema>;
export type OutputTargetInput = z.input<typeof outputTargetSchema>;

/** Names batchfn writes next to the predictions; a scoring script may not use them. */
export { ERRORS_FILE, JOB_SUMMARY_FILE } from "../../spec/names.js";

/** Validates a target; `output_file_name` must be a plain file name other than batchfn's own. */
export function outputTarget(input: OutputTargetInput): OutputTarget {
  const target = outputTargetSchema.parse(input);
  const name = target.fileName;
  const problem = outputFileNameProblem(name);
  if (problem) {
    throw errors.invalidSpec(`settings.output_file_name: ${problem}.`, [
      { path: "settings.output_file_name", message: problem },
    ]);
  }
  return target;
}
