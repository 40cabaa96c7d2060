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
