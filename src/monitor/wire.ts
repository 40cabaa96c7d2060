import * as z from "zod/mini";

/**
 * What the page reads from the REST API (docs/rest.md), checked when it arrives. Loose objects:
 * fields the page does not show may come and go.
 */

const counts = z.looseObject({
  total: z.number(),
  succeeded: z.number(),
  failed: z.number(),
});

export const jobSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  endpoint: z.string(),
  deployment: z.string(),
  display_name: z.optional(z.nullable(z.string())),
  tags: z.optional(z.nullable(z.record(z.string(), z.string()))),
  created_at: z.string(),
  started_at: z.optional(z.nullable(z.string())),
  finished_at: z.optional(z.nullable(z.string())),
  input: z.string(),
  output: z.looseObject({ path: z.string(), file_name: z.string() }),
  progress: z.optional(
    z.nullable(z.looseObject({ mini_batches: counts, items: counts, rows: z.optional(z.number()) })),
  ),
  message: z.optional(z.nullable(z.string())),
  settings: z.optional(z.record(z.string(), z.unknown())),
  model: z.optional(z.looseObject({ name: z.string(), version: z.string() })),
});
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.looseObject({
  value: z.array(jobSchema),
  nextLink: z.optional(z.nullable(z.string())),
});

export const outputListSchema = z.looseObject({
  output_path: z.string(),
  value: z.array(
    z.looseObject({
      name: z.string(),
      path: z.string(),
      size: z.number(),
      last_modified: z.optional(z.string()),
    }),
  ),
});
export type OutputFile = z.infer<typeof outputListSchema>["value"][number];

export const logLineSchema = z.looseObject({
  time: z.string(),
  level: z.string(),
  source: z.string(),
  message: z.string(),
  miniBatch: z.optional(z.number()),
  attempt: z.optional(z.number()),
});
export type LogLine = z.infer<typeof logLineSchema>;

/** One line of errors.jsonl. */
export const errorLineSchema = z.looseObject({
  item: z.string(),
  mini_batch: z.optional(z.number()),
  attempt: z.optional(z.number()),
  code: z.optional(z.string()),
  message: z.string(),
  count: z.optional(z.number()),
});
export type ErrorLine = z.infer<typeof errorLineSchema>;

export const endpointListSchema = z.looseObject({
  value: z.array(
    z.looseObject({
      name: z.string(),
      description: z.optional(z.string()),
      auth_mode: z.string(),
      tags: z.optional(z.record(z.string(), z.string())),
      defaults: z.optional(z.looseObject({ deployment_name: z.optional(z.string()) })),
    }),
  ),
});
export type Endpoint = z.infer<typeof endpointListSchema>["value"][number];

export const deploymentListSchema = z.looseObject({
  value: z.array(
    z.looseObject({
      name: z.string(),
      description: z.optional(z.string()),
      model: z.looseObject({ name: z.string(), version: z.string() }),
      code_configuration: z.optional(z.looseObject({ scoring_script: z.string() })),
      resources: z.optional(z.looseObject({ instance_count: z.number() })),
      settings: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type Deployment = z.infer<typeof deploymentListSchema>["value"][number];

export const errorBodySchema = z.looseObject({
  error: z.looseObject({ code: z.string(), message: z.string() }),
});
