import { jobName } from "../../spec/names.js";

/** A job name as it appears in blob names and table keys (the rule lives in `spec/names.ts`). */
export const jobNameSchema = jobName;

/** Validates a job name, throwing a zod error that names the rule. */
export function checkJobName(name: string): string {
  return jobNameSchema.parse(name);
}
