import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ORCHESTRATION } from "../../../src/jobs/orchestration/contract.js";
import { scoringJob, scoringJobChunk } from "../../../src/jobs/orchestration/scoring-job.js";
import type { HistoryEvent } from "../../../src/local-host/durable/history.js";
import { goldenJobs } from "../../support/golden-jobs.js";
import { replay, schedule } from "../../support/golden-replay.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "histories");

const fixtureSchema = z.object({
  instances: z.array(
    z.object({
      instanceId: z.string(),
      name: z.enum([ORCHESTRATION.job, ORCHESTRATION.chunk]),
      input: z.unknown(),
      parentInstanceId: z.string().optional(),
      output: z.unknown(),
      schedule: z.array(z.object({ type: z.number(), name: z.string().optional(), input: z.unknown() })),
      history: z.array(z.record(z.string(), z.unknown())),
    }),
  ),
});

/** Stored events with their dates back as Dates, as the host hands them to the library. */
function revive(event: Record<string, unknown>): HistoryEvent {
  const revived: Record<string, unknown> = { ...event, Timestamp: new Date(String(event.Timestamp)) };
  if (typeof event.FireAt === "string") revived.FireAt = new Date(event.FireAt);
  return revived as unknown as HistoryEvent;
}

/**
 * Histories recorded from the orchestrations as they are (test/fixtures/histories). An orchestration
 * running in Azure is replayed from its stored history by the new code after a deployment: a change
 * that schedules differently for the same history breaks those jobs, and fails here first.
 */
describe("golden histories of scoringJob", () => {
  for (const name of Object.keys(goldenJobs)) {
    it(`replays '${name}' to the same output and exactly the recorded schedule`, async () => {
      const fixture = fixtureSchema.parse(JSON.parse(await readFile(join(fixtures, `${name}.json`), "utf8")));
      for (const instance of fixture.instances) {
        const fn = instance.name === ORCHESTRATION.job ? scoringJob : scoringJobChunk;
        const answer = await replay(fn, { ...instance, history: instance.history.map(revive) });
        expect(answer.error, instance.instanceId).toBeUndefined();
        expect(answer.isDone, instance.instanceId).toBe(true);
        expect(answer.output).toEqual(instance.output);
        expect(schedule(answer)).toEqual(instance.schedule);
      }
    });
  }
});
