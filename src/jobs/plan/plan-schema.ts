import { z } from "zod";
import { inputItemSchema, inputRootSchema } from "../../io/inputs/resolved-input.js";
import { jobName } from "../../spec/names.js";
import { dataType } from "../../spec/resources.js";

/** A row range of a tabular item: rows [start, start + count) of a file of `total` rows. */
export const rowRangeSchema = z.strictObject({
  start: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type RowRange = z.infer<typeof rowRangeSchema>;

/** One entry of a mini-batch: an input item, whole or (with `rows`) a row range of it. */
export const plannedItemSchema = inputItemSchema.extend({ rows: rowRangeSchema.optional() });
export type PlannedItem = z.infer<typeof plannedItemSchema>;

export const plannedMiniBatchSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  items: z.array(plannedItemSchema).min(1),
});
export type PlannedMiniBatch = z.infer<typeof plannedMiniBatchSchema>;

/** Totals of a plan. `items` counts what the error threshold counts: files, or rows of row-split files. */
export const planCountsSchema = z.strictObject({
  miniBatches: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative().optional(),
  items: z.number().int().nonnegative(),
});
export type PlanCounts = z.infer<typeof planCountsSchema>;

/** `<jobs container>/<job>/plan.json`: everything but the mini-batches, which live in pages. */
export const planManifestSchema = z.strictObject({
  version: z.literal(1),
  job: jobName,
  planId: z.string().min(1),
  input: z.strictObject({ display: z.string(), type: dataType, root: inputRootSchema }),
  settings: z.strictObject({
    miniBatchSize: z.number().int().min(1),
    miniBatchRows: z.number().int().min(1).optional(),
  }),
  counts: planCountsSchema,
  /** Index of the first mini-batch of each page, ascending, starting at 0. */
  pageStarts: z.array(z.number().int().nonnegative()),
});
export type PlanManifest = z.infer<typeof planManifestSchema>;

/** `<jobs container>/<job>/plan-pages/<planId>/<page>.json`: consecutive mini-batches. */
export const planPageSchema = z.strictObject({
  planId: z.string().min(1),
  page: z.number().int().nonnegative(),
  miniBatches: z.array(plannedMiniBatchSchema),
});
export type PlanPage = z.infer<typeof planPageSchema>;

/** What travels onward from planning (orchestration history): a reference and counts, never items. */
export const planRefSchema = planCountsSchema.extend({ job: jobName, planId: z.string().min(1) });
export type PlanRef = z.infer<typeof planRefSchema>;

/** Blob names of a plan inside the jobs container. */
export const planBlobs = {
  manifest: (job: string) => `${job}/plan.json`,
  page: (job: string, planId: string, page: number) =>
    `${job}/plan-pages/${planId}/${String(page).padStart(6, "0")}.json`,
};
