import { z } from "zod";

/**
 * The statuses of a job, as the jobs API shows them (`status` of `GET /api/jobs/{job}`, the
 * `status=` filter of the list) and the CLI reads them; `Completed`, `Failed` and `Canceled` are final.
 */
export const jobStatus = z.enum([
  "NotStarted",
  "Preparing",
  "Running",
  "Finalizing",
  "Completed",
  "Failed",
  "CancelRequested",
  "Canceled",
]);
export type JobStatus = z.infer<typeof jobStatus>;

const label = (what: string) =>
  z
    .string()
    .min(1, `must not be empty`)
    .max(256, `must be at most 256 characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${what} must not hold control characters`);

/** An experiment name, as Azure ML's: letters, digits, '-', '_' and '.', starting with a letter or digit. */
export const experimentName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][-_.a-zA-Z0-9]{0,254}$/,
    "must be 1-255 letters, digits, '-', '_' or '.', starting with a letter or digit",
  );

/** At most this many tags on a job. */
export const MAX_JOB_TAGS = 50;

/**
 * The labels a person gives a job when invoking it (`--display-name`, `--experiment-name`,
 * `--tags`): kept with the job, shown by `GET /api/jobs/{job}`, filterable in the list.
 */
export const jobLabels = z.object({
  display_name: label("a display name").optional(),
  experiment_name: experimentName.optional(),
  tags: z
    .record(label("a tag key"), z.string().max(256, "must be at most 256 characters"))
    .refine((tags) => Object.keys(tags).length <= MAX_JOB_TAGS, `at most ${MAX_JOB_TAGS} tags`)
    .optional(),
});
export type JobLabels = z.infer<typeof jobLabels>;
