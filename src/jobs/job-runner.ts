import type { DurableClient } from "durable-functions";
import { ORCHESTRATION, type ScoringJobInput } from "./orchestration/contract.js";

/** What the orchestration says about a job while it runs. */
export interface RunStatus {
  runtimeStatus: string;
  customStatus: unknown;
  output: unknown;
  lastUpdatedTime: Date;
}

/** Starts and watches job orchestrations: the port between the API and Durable Functions. */
export interface JobRunner {
  start(input: ScoringJobInput): Promise<void>;
  /** The orchestration's status, or `undefined` when it does not exist (yet). */
  status(instanceId: string): Promise<RunStatus | undefined>;
}

/** The Durable Functions implementation: one `scoringJob` instance per job, its id the job's name. */
export function durableJobRunner(client: DurableClient): JobRunner {
  return {
    async start(input) {
      await client.startNew(ORCHESTRATION.job, { instanceId: input.jobName, input });
    },
    async status(instanceId) {
      try {
        const status = await client.getStatus(instanceId, { showInput: false });
        return {
          runtimeStatus: String(status.runtimeStatus),
          customStatus: status.customStatus,
          output: status.output,
          lastUpdatedTime: new Date(status.lastUpdatedTime),
        };
      } catch (thrown) {
        if (thrown instanceof Error && thrown.message.includes("HTTP 404")) return undefined;
        throw thrown;
      }
    },
  };
}
