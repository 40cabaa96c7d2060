import { z } from "zod";

/**
 * A job name as it appears in blob names (`<job>/plan.json`, `logs/<job>.jsonl`): letters, digits,
 * `-` and `_`, starting with a letter or digit; at most 255 characters, like Azure ML job names.
 */
export const jobNameSchema = z
  .string()
  .regex(
    /^[a-zA-Z0-9][-_a-zA-Z0-9]{0,254}$/,
    "must be 1-255 letters, digits, '-' or '_', starting with a letter or digit",
  );

/** Validates a job name, throwing a zod error that names the rule. */
export function checkJobName(name: string): string {
  return jobNameSchema.parse(name);
}
