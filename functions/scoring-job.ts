import * as df from "durable-functions";
import { appContext } from "../src/app/app-context.js";
import {
  ACTIVITY,
  failureRecordSchema,
  finalizeInputSchema,
  miniBatchRefSchema,
  ORCHESTRATION,
} from "../src/jobs/orchestration/contract.js";
import { scoringJob, scoringJobChunk } from "../src/jobs/orchestration/scoring-job.js";

const activities = () => appContext().engine.activities;

df.app.orchestration(ORCHESTRATION.job, scoringJob);
df.app.orchestration(ORCHESTRATION.chunk, scoringJobChunk);
df.app.activity(ACTIVITY.plan, {
  handler: (input: unknown) => activities().planJob(miniBatchRefSchema.pick({ jobName: true }).parse(input)),
});
df.app.activity(ACTIVITY.score, {
  handler: (input: unknown) => activities().scoreMiniBatch(miniBatchRefSchema.parse(input)),
});
df.app.activity(ACTIVITY.recordFailure, {
  handler: (input: unknown) => activities().recordMiniBatchFailure(failureRecordSchema.parse(input)),
});
df.app.activity(ACTIVITY.finalize, {
  handler: (input: unknown) => activities().finalizeJob(finalizeInputSchema.parse(input)),
});
