import { z } from "zod";

export const logLevelSchema = z.enum(["debug", "info", "warning", "error"]);
export type LogLevel = z.infer<typeof logLevelSchema>;

/**
 * One line of a job log (`logs/<job>.jsonl`): what the engine and scoring scripts write, what a
 * worker thread sends to the pool, and what `GET .../jobs/{name}/logs` streams to the CLI.
 */
export const logRecordSchema = z.object({
  time: z.string(),
  level: logLevelSchema,
  source: z.enum(["engine", "script"]),
  message: z.string(),
  miniBatch: z.number().int().nonnegative().optional(),
  attempt: z.number().int().nonnegative().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogRecord = z.infer<typeof logRecordSchema>;
