import {
  type ActivityName,
  type ActivityOutput,
  activityContract,
  type JobActivities,
} from "../orchestration/activity-contract.js";

/**
 * Runs an activity on what the host hands it: the input is parsed by the activity's schema (the
 * boundary of the orchestration), then the typed function runs. What functions/ registers.
 */
export function runActivity<N extends ActivityName>(
  activities: JobActivities,
  name: N,
  input: unknown,
): Promise<ActivityOutput<N>> {
  const activity: JobActivities[N] = activities[name];
  return activity(activityContract[name].input.parse(input));
}
