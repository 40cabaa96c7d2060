import { z } from "zod";
import {
  ACTIVITY,
  failureRecordSchema,
  finalizedJobSchema,
  finalizeInputSchema,
  miniBatchOutcomeSchema,
  miniBatchRefSchema,
  planSummarySchema,
  rangePartsSchema,
} from "./contract.js";

/** The name an activity is registered under with Durable (stored histories name it: never rename). */
export type ActivityName = (typeof ACTIVITY)[keyof typeof ACTIVITY];

export const planInputSchema = miniBatchRefSchema.pick({ jobName: true });

/** What `recordParts` answers: how many parts its range record holds. */
export const recordedPartsSchema = z.object({ parts: z.number().int().nonnegative() });

const schemas = {
  [ACTIVITY.plan]: { input: planInputSchema, output: planSummarySchema },
  [ACTIVITY.score]: { input: miniBatchRefSchema, output: miniBatchOutcomeSchema },
  [ACTIVITY.recordFailure]: { input: failureRecordSchema, output: miniBatchOutcomeSchema },
  [ACTIVITY.finalize]: { input: finalizeInputSchema, output: finalizedJobSchema },
  [ACTIVITY.recordParts]: { input: rangePartsSchema, output: recordedPartsSchema },
} as const satisfies Record<ActivityName, { input: z.ZodType; output: z.ZodType }>;

export type ActivityInput<N extends ActivityName> = z.output<(typeof schemas)[N]["input"]>;
export type ActivityOutput<N extends ActivityName> = z.output<(typeof schemas)[N]["output"]>;

/**
 * Every activity of the scoring job: its input (parsed where the activity is registered) and its
 * output (parsed where the orchestration receives it). The one list both sides are typed from.
 */
export const activityContract: {
  [N in ActivityName]: { input: z.ZodType<ActivityInput<N>>; output: z.ZodType<ActivityOutput<N>> };
} = schemas;

/** The activities as plain async functions, one per name (built in src/jobs/activities/). */
export type JobActivities = {
  [N in ActivityName]: (input: ActivityInput<N>) => Promise<ActivityOutput<N>>;
};

/** Activity names in registration order. */
export const activityNames = Object.values(ACTIVITY);
