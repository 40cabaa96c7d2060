import type { OrchestrationContext, Task } from "durable-functions";
import * as df from "durable-functions";
import { z } from "zod";
import {
  type ActivityInput,
  type ActivityName,
  type ActivityOutput,
  activityContract,
} from "./activity-contract.js";
import { ACTIVITY, type RetryPolicy } from "./contract.js";

/** One activity as the orchestration sees it: typed input, parsed output. */
export interface ActivityStub<N extends ActivityName> {
  /** Calls the activity and waits for it: `const plan = yield* activities.planJob({ jobName })`. */
  (input: ActivityInput<N>): Generator<Task, ActivityOutput<N>, unknown>;
  /** Schedules it without waiting (to await many with `Task.all`), with durable retries when given. */
  schedule(input: ActivityInput<N>, retry?: RetryPolicy): Task;
  /** Parses what a scheduled call returned. */
  output(result: unknown): ActivityOutput<N>;
  /** Parses what `Task.all` of scheduled calls returned. */
  outputs(results: unknown): ActivityOutput<N>[];
}

export type ActivityStubs = { [N in ActivityName]: ActivityStub<N> };

/**
 * The activities of the scoring job, typed from their contract, for an orchestration to call (as
 * Temporal's `proxyActivities`): the orchestration never names an activity by a string, and every
 * output is parsed by its schema when it comes back. Scheduling is exactly `callActivity` /
 * `callActivityWithRetry`, so histories replay unchanged.
 */
export function proxyActivities(context: OrchestrationContext): ActivityStubs {
  return {
    [ACTIVITY.plan]: stub(context, ACTIVITY.plan),
    [ACTIVITY.score]: stub(context, ACTIVITY.score),
    [ACTIVITY.recordFailure]: stub(context, ACTIVITY.recordFailure),
    [ACTIVITY.finalize]: stub(context, ACTIVITY.finalize),
    [ACTIVITY.recordParts]: stub(context, ACTIVITY.recordParts),
  };
}

function stub<N extends ActivityName>(context: OrchestrationContext, name: N): ActivityStub<N> {
  const schema: z.ZodType<ActivityOutput<N>> = activityContract[name].output;
  const schedule = (input: ActivityInput<N>, retry?: RetryPolicy): Task =>
    retry === undefined
      ? context.df.callActivity(name, input)
      : context.df.callActivityWithRetry(name, toRetryOptions(retry), input);
  const call = function* (input: ActivityInput<N>): Generator<Task, ActivityOutput<N>, unknown> {
    return schema.parse(yield schedule(input));
  };
  return Object.assign(call, {
    schedule,
    output: (result: unknown) => schema.parse(result),
    outputs: (results: unknown) => z.array(schema).parse(results),
  });
}

function toRetryOptions(policy: RetryPolicy): df.RetryOptions {
  const options = new df.RetryOptions(policy.firstIntervalMs, policy.maxAttempts);
  options.backoffCoefficient = policy.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = policy.maxIntervalMs;
  return options;
}
