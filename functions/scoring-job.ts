import * as df from "durable-functions";
import { appContext } from "../src/app/app-context.js";
import { runActivity } from "../src/jobs/activities/run-activity.js";
import { activityNames } from "../src/jobs/orchestration/activity-contract.js";
import { ORCHESTRATION } from "../src/jobs/orchestration/contract.js";
import { scoringJob, scoringJobChunk } from "../src/jobs/orchestration/scoring-job.js";

const { activities } = appContext();

// The scoring job: its orchestrations (deterministic, no dependencies) and every activity of its contract.
df.app.orchestration(ORCHESTRATION.job, scoringJob);
df.app.orchestration(ORCHESTRATION.chunk, scoringJobChunk);
for (const name of activityNames) {
  df.app.activity(name, { handler: (input: unknown) => runActivity(activities, name, input) });
}
